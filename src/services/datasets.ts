// SPDX-License-Identifier: MIT
// datasets.*: import an image folder into SQLite (skipped files with reasons, duplicates,
// re-import diff), health (similar images, leaks, tiny classes), split reports, thumbnails and
// augmentation previews.
import path from 'node:path';
import sharp from 'sharp';
import { augmentPreview, DEFAULT_AUGMENT, type AugmentConfig } from '../engine/data/augment';
import { decodeImage } from '../engine/data/decode';
import { diffScans, scanDataset } from '../engine/data/scan';
import type { DuplicateGroup, SkippedFile } from '../engine/data/types';
import { storedGroups } from '../engine/data/health';
import type { DatasetDetail, DatasetSummary, SimilarGroup } from '../shared/dto/train';
import type { Handlers } from '../shared/ipc/contract';
import type { trainMethods } from '../shared/ipc/methods/train';
import { AppError } from '../shared/errors';
import { findDatasetByRoot, getDataset, listDatasets, listImages, saveScan, type DatasetRecord, type StoredImage } from '../store/repos/datasets';
import type { Db } from '../store/db';
import { excludedPaths } from '../store/repos/health';
import { refreshHealth } from './dataset-health';
import type { ServiceContext } from './context';
import { runCallJob } from './jobs';
import { confinePath } from './paths';
import { splitImages, userSplitOf } from '../engine/train/plan';

type DatasetMethods = Pick<typeof trainMethods, 'datasets.import' | 'datasets.list' | 'datasets.get' | 'datasets.preview' | 'datasets.augmentPreview'>;

/** @throws AppError NOT_FOUND naming the id. */
export function requireDataset(db: Db, id: number): DatasetRecord {
  const d = getDataset(db, id);
  if (!d) throw new AppError('NOT_FOUND', `No dataset with id ${id}. Import the folder first (datasets import DIR) and use the id it prints.`, { id });
  return d;
}

/** `images` are those in training (excluded ones left out); class counts are counted from them. */
export function summarizeDataset(d: DatasetRecord, images: readonly StoredImage[], excluded: readonly string[] = []): DatasetSummary {
  const summary = d.summary as { skipped?: SkippedFile[]; duplicates?: DuplicateGroup[]; similar?: SimilarGroup[]; findings?: DatasetSummary['findings'] };
  const userSplits: Record<string, number> = {};
  const classCounts: Record<string, number> = Object.fromEntries(d.classes.map((c) => [c, 0]));
  for (const im of images) {
    const s = userSplitOf(im.path, d.layout);
    if (s) userSplits[s] = (userSplits[s] ?? 0) + 1;
    classCounts[im.className] = (classCounts[im.className] ?? 0) + 1;
  }
  return {
    id: d.id,
    projectId: d.projectId,
    root: d.root,
    name: d.name,
    layout: d.layout,
    classes: d.classes,
    classCounts,
    images: images.length,
    userSplits,
    skipped: summary.skipped ?? [],
    duplicates: summary.duplicates ?? [],
    similar: storedGroups(d.summary, new Set(images.map((im) => im.path))),
    findings: summary.findings ?? [],
    excluded: [...excluded],
    scannedAt: d.scannedAt,
  };
}

/** Up to `n` images spread evenly over the list (so a preview shows more than the first few files). */
function spread<T>(list: readonly T[], n: number): T[] {
  if (list.length <= n) return [...list];
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);
}

async function toPngDataUrl(rgb: Uint8Array | Float32Array, width: number, height: number): Promise<string> {
  const bytes = rgb instanceof Uint8Array ? rgb : Uint8Array.from(rgb, (v) => Math.max(0, Math.min(255, Math.round(v))));
  const png = await sharp(bytes, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function pickImages(db: Db, d: DatasetRecord, className: string | undefined, paths?: readonly string[]): StoredImage[] {
  const all = listImages(db, d.id, { includeExcluded: !!paths });
  if (paths) {
    const byPath = new Map(all.map((im) => [im.path, im]));
    const missing = paths.filter((p) => !byPath.has(p));
    if (missing.length) throw new AppError('NOT_FOUND', `Dataset ${d.id} has no image ${JSON.stringify(missing[0])}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}; import the folder again if files moved.`, { missing });
    return paths.map((p) => byPath.get(p)!);
  }
  if (className === undefined) return all;
  if (!d.classes.includes(className)) {
    throw new AppError('INVALID_ARGUMENT', `Dataset ${d.id} has no class ${JSON.stringify(className)}. Its classes: ${d.classes.join(', ')}.`, { received: className });
  }
  return all.filter((im) => im.className === className);
}

export function summarizeOf(db: Db, d: DatasetRecord): DatasetSummary {
  return summarizeDataset(d, listImages(db, d.id), excludedPaths(db, d.id));
}

export function datasetHandlers(ctx: ServiceContext): Handlers<DatasetMethods> {
  const { db } = ctx;
  return {
    'datasets.import': async ({ root, projectId, jobId }) => runCallJob(ctx, 'datasets.import', jobId, async (job) => {
      const abs = confinePath(ctx, root, 'dataset folder');
      const existing = findDatasetByRoot(db, abs, projectId ?? null);
      const previous = existing ? listImages(db, existing.id, { includeExcluded: true }) : [];
      const scan = await scanDataset(abs, { ...(existing ? { previous } : {}), signal: job.signal, onProgress: (p) => job.progress(p.done, p.total) });
      const diff = diffScans(previous, scan);
      // The last point a cancel stops the import: after it the scan is saved in one transaction.
      job.check();
      const saved = saveScan(db, scan, { projectId: projectId ?? null, name: path.basename(abs), ...(existing ? { datasetId: existing.id } : {}) });
      await refreshHealth(db, saved);
      const rec = requireDataset(db, saved.id);
      return {
        dataset: summarizeOf(db, rec),
        reimport: !!existing,
        added: existing ? diff.added.map((i) => i.path) : [],
        removed: diff.removed.map((i) => i.path),
        changed: diff.changed.map((c) => c.after.path),
        unchanged: diff.unchanged,
      };
    }),
    'datasets.list': async ({ projectId }) => listDatasets(db, projectId).map((d) => summarizeOf(db, d)),
    'datasets.get': async ({ id, split }): Promise<DatasetDetail> => {
      const d = requireDataset(db, id);
      const images = listImages(db, id);
      const { result, settings, leaks } = splitImages(d, images, split ?? {});
      return {
        ...summarizeDataset(d, images, excludedPaths(db, id)),
        split: { settings, counts: result.counts, warnings: result.warnings, classWeights: result.classWeights, leaks, leaksFixed: split?.fixLeakage ?? true },
      };
    },
    'datasets.preview': async ({ id, className, paths, n, size }) => {
      const d = requireDataset(db, id);
      const side = size ?? 96;
      const out = [];
      for (const im of paths ? pickImages(db, d, undefined, paths.slice(0, n)) : spread(pickImages(db, d, className), n)) {
        const img = await decodeImage(path.join(d.root, im.path), { width: side, height: side, cropToAspectRatio: true, interpolation: 'lanczos3', output: 'uint8' });
        out.push({ path: im.path, className: im.className, dataUrl: await toPngDataUrl(img.data, img.width, img.height) });
      }
      return out;
    },
    'datasets.augmentPreview': async ({ id, path: rel, className, n, seed, size, augment }) => {
      const d = requireDataset(db, id);
      const images = pickImages(db, d, className);
      const im = rel === undefined ? images[0] : images.find((i) => i.path === rel);
      if (!im) throw new AppError('NOT_FOUND', rel === undefined ? `Dataset ${id} has no images${className ? ` in class ${className}` : ''}.` : `Dataset ${id} has no image ${JSON.stringify(rel)}.`, { received: rel });
      const side = size ?? 128;
      const img = await decodeImage(path.join(d.root, im.path), { width: side, height: side, cropToAspectRatio: true, interpolation: 'lanczos3' });
      const config: AugmentConfig = augment ?? DEFAULT_AUGMENT;
      const pngs = await augmentPreview(img, n, seed ?? 1, config);
      return { path: im.path, original: await toPngDataUrl(img.data, img.width, img.height), samples: pngs.map((b) => `data:image/png;base64,${b.toString('base64')}`) };
    },
  };
}
