// SPDX-License-Identifier: MIT
// Scans an image folder laid out like Keras's image_dataset_from_directory expects: one folder per
// class (nested folders inside a class are fine), or the user's own train/ val/ test/ folders each
// holding class folders. Bad files never stop a scan; each is listed with a reason.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError } from '../../shared/errors';
import { DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS } from './formats';
import { inspectImage } from './inspect';
import type {
  DatasetLayout,
  DuplicateGroup,
  ScanDiff,
  ScannedImage,
  ScanResult,
  SkippedFile,
  SplitName,
} from './types';
import { extOf, walkDataset, type WalkedFile } from './walk';

export interface ScanOptions {
  /** `auto` (default) picks `splits` when every top-level folder is train/val/validation/test and train is among them. */
  layout?: 'auto' | DatasetLayout;
  /** Images with more pixels are skipped as too large (default 100 MP). */
  maxPixels?: number;
  /** `decode` (default) fully decodes each image to catch truncation; `header` is faster. */
  verify?: 'decode' | 'header';
  /** Files checked at once (default 4). */
  concurrency?: number;
  /**
   * A previous scan's images: a file whose path, size and mtime are unchanged keeps its old
   * record without being read again. Pass `rehash: true` to distrust mtimes.
   */
  previous?: readonly ScannedImage[];
  rehash?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; path: string }) => void;
}

const SPLIT_FOLDERS: Record<string, SplitName> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

const SUPPORTED = '.jpg, .jpeg, .png, .webp, .gif, .bmp, .tif, .tiff';

/** Which layout the top-level folders suggest. */
export function detectLayout(topDirs: readonly string[]): DatasetLayout {
  if (topDirs.length === 0) return 'classes';
  const splits = topDirs.map((d) => SPLIT_FOLDERS[d.toLowerCase()]);
  return splits.every(Boolean) && splits.includes('train') ? 'splits' : 'classes';
}

function codeUnitCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Scans `root` and checks every image.
 * @returns images (sorted by path), skipped files with reasons, duplicate groups and classes (sorted;
 *   a class's label is its index).
 * @throws AppError NOT_FOUND (no such folder), INVALID_ARGUMENT (not a folder), CANCELLED.
 */
export async function scanDataset(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const abs = resolve(root);
  const st = await stat(abs).catch(() => undefined);
  if (!st) {
    throw new AppError('NOT_FOUND', `Dataset folder not found. Received: ${root}. Choose an existing folder.`, {
      root,
    });
  }
  if (!st.isDirectory()) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `Expected a folder with one sub-folder per class. Received a file: ${root}.`,
      { root },
    );
  }
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const walked = await walkDataset(abs, opts.signal);
  const topDirs = walked.dirs.filter((d) => !d.includes('/'));
  const layout = !opts.layout || opts.layout === 'auto' ? detectLayout(topDirs) : opts.layout;
  const skipped: SkippedFile[] = [...walked.skipped];

  const todo: { f: WalkedFile; className: string; split?: SplitName }[] = [];
  for (const f of walked.files) {
    const ext = extOf(f.rel.slice(f.rel.lastIndexOf('/') + 1));
    if (!IMAGE_EXTENSIONS[ext]) {
      skipped.push({
        path: f.rel,
        code: 'UNSUPPORTED_TYPE',
        reason: `Not an image file type this app reads (${ext || 'no extension'}); supported: ${SUPPORTED}.`,
      });
      continue;
    }
    const parts = f.rel.split('/');
    if (layout === 'splits') {
      const split = SPLIT_FOLDERS[parts[0].toLowerCase()];
      if (parts.length < 3 || !split) {
        skipped.push({
          path: f.rel,
          code: 'OUTSIDE_CLASS',
          reason: 'This image is not inside a class folder within train/, val/ or test/; move it into one.',
        });
        continue;
      }
      todo.push({ f, className: parts[1], split });
    } else {
      if (parts.length < 2) {
        skipped.push({
          path: f.rel,
          code: 'OUTSIDE_CLASS',
          reason: 'This image is not inside a class folder; move it into one (the folder name is its label).',
        });
        continue;
      }
      todo.push({ f, className: parts[0] });
    }
  }

  const prev = new Map((opts.previous ?? []).map((p) => [p.path, p]));
  const images: ScannedImage[] = [];
  let done = 0;
  let next = 0;
  const runner = async () => {
    while (next < todo.length) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', `The scan of ${root} was cancelled.`);
      const { f, className, split } = todo[next++];
      const old = prev.get(f.rel);
      let reused = false;
      if (old && !opts.rehash && old.className === className) {
        const s = await stat(f.abs).catch(() => undefined);
        if (s && s.size === old.bytes && s.mtimeMs === old.mtimeMs) {
          images.push({ ...old, ...(split ? { split } : {}) });
          reused = true;
        }
      }
      if (!reused) {
        const r = await inspectImage(f.abs, { maxPixels, verify: opts.verify });
        if (r.ok) {
          const { ok: _ok, ...rest } = r;
          images.push({ path: f.rel, className, ...(split ? { split } : {}), ...rest });
        } else {
          skipped.push({ path: f.rel, code: r.code, reason: r.reason });
        }
      }
      opts.onProgress?.({ done: ++done, total: todo.length, path: f.rel });
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 4, 16));
  await Promise.all(Array.from({ length: n }, runner));

  images.sort((a, b) => codeUnitCompare(a.path, b.path));
  skipped.sort((a, b) => codeUnitCompare(a.path, b.path));
  const classCounts: Record<string, number> = {};
  for (const im of images) classCounts[im.className] = (classCounts[im.className] ?? 0) + 1;
  const classes = Object.keys(classCounts).sort(codeUnitCompare);
  return { root: abs, layout, images, skipped, duplicates: findDuplicates(images), classes, classCounts };
}

/** Groups images with identical bytes; cross-class groups come first. */
export function findDuplicates(images: readonly ScannedImage[]): DuplicateGroup[] {
  const byHash = new Map<string, ScannedImage[]>();
  for (const im of images) {
    const list = byHash.get(im.sha256);
    if (list) list.push(im);
    else byHash.set(im.sha256, [im]);
  }
  const groups: DuplicateGroup[] = [];
  for (const [sha256, list] of byHash) {
    if (list.length < 2) continue;
    const classes = [...new Set(list.map((i) => i.className))].sort(codeUnitCompare);
    groups.push({ sha256, paths: list.map((i) => i.path).sort(codeUnitCompare), classes, crossClass: classes.length > 1 });
  }
  return groups.sort((a, b) => Number(b.crossClass) - Number(a.crossClass) || codeUnitCompare(a.paths[0], b.paths[0]));
}

/** Compares two scans of the same folder by path; a path whose hash differs is `changed`. */
export function diffScans(
  before: readonly ScannedImage[] | Pick<ScanResult, 'images'>,
  after: readonly ScannedImage[] | Pick<ScanResult, 'images'>,
): ScanDiff {
  const a = 'images' in before ? before.images : before;
  const b = 'images' in after ? after.images : after;
  const old = new Map(a.map((i) => [i.path, i]));
  const diff: ScanDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  const seen = new Set<string>();
  for (const im of b) {
    seen.add(im.path);
    const prev = old.get(im.path);
    if (!prev) diff.added.push(im);
    else if (prev.sha256 !== im.sha256) diff.changed.push({ before: prev, after: im });
    else diff.unchanged++;
  }
  for (const im of a) if (!seen.has(im.path)) diff.removed.push(im);
  return diff;
}
