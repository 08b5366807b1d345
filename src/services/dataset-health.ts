// SPDX-License-Identifier: MIT
// Dataset health at import: perceptual hashes for images not hashed before (cached by content in
// SQLite), then the similar groups and class findings, stored in the dataset's summary so lists
// and splits read them without decoding anything.
import path from 'node:path';
import { classFindings, findSimilarGroups } from '../engine/data/health';
import { perceptualHash, type PerceptualHash } from '../engine/data/phash';
import { createLogger } from '../platform/logger';
import type { Db } from '../store/db';
import { listImages, type DatasetRecord } from '../store/repos/datasets';
import { getHashes, patchDatasetSummary, saveHashes } from '../store/repos/health';

const log = createLogger('dataset-health');

/** Hashes every image of the dataset whose content has no cached hash yet; returns all hashes by sha256. */
export async function hashImages(db: Db, d: DatasetRecord, concurrency = 4): Promise<Map<string, PerceptualHash>> {
  const images = listImages(db, d.id, { includeExcluded: true });
  const known = getHashes(db, images.map((im) => im.sha256));
  const todo = [...new Map(images.filter((im) => !known.has(im.sha256)).map((im) => [im.sha256, im])).values()];
  const fresh = new Map<string, PerceptualHash>();
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const im = todo[next++];
      try {
        fresh.set(im.sha256, await perceptualHash(path.join(d.root, im.path)));
      } catch (err) {
        // The scan decoded this file a moment ago; if it fails now it is matched by bytes only.
        log.warn(`cannot hash ${im.path}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, todo.length)) }, worker));
  saveHashes(db, fresh);
  for (const [k, v] of fresh) known.set(k, v);
  return known;
}

/** Recomputes the dataset's similar groups and class findings into its summary. */
export async function refreshHealth(db: Db, d: DatasetRecord): Promise<void> {
  const hashes = await hashImages(db, d);
  const images = listImages(db, d.id);
  const similar = findSimilarGroups(images.map((im) => ({ path: im.path, className: im.className, sha256: im.sha256, width: im.width, height: im.height, ...(hashes.has(im.sha256) ? { hash: hashes.get(im.sha256)! } : {}) })));
  const counts: Record<string, number> = Object.fromEntries(d.classes.map((c) => [c, 0]));
  for (const im of images) counts[im.className] = (counts[im.className] ?? 0) + 1;
  patchDatasetSummary(db, d.id, { similar, findings: classFindings(counts) });
}
