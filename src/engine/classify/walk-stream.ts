// SPDX-License-Identifier: MIT
// A photo folder as classification sees it: image files only, streamed, optionally recursive.
// The walking itself is the dataset scanner's (src/engine/data/walk.ts), so both treat links,
// hidden files and unreadable folders the same way.
import { walkFiles, type WalkEntry, type WalkOptions } from '../data/walk';

export { isInside } from '../data/walk';
export type { WalkEntry };

export type FolderEntry = Exclude<WalkEntry, { kind: 'dir' }>;

/**
 * Walks `root` depth-first in sorted order; sub-folders only with `recursive`.
 * @throws AppError NOT_FOUND when `root` is not a folder, CANCELLED when `signal` aborts.
 */
export async function* walkFolder(root: string, opts: Pick<WalkOptions, 'recursive' | 'signal' | 'exclude'> = {}): AsyncGenerator<FolderEntry> {
  for await (const e of walkFiles(root, { ...opts, recursive: opts.recursive ?? false, imagesOnly: true, wording: { root: 'chosen folder', verb: 'classified' } })) {
    if (e.kind !== 'dir') yield e;
  }
}

/** Counts what `walkFolder` will yield, without keeping any of it (for progress totals). */
export async function countFolder(root: string, opts: Pick<WalkOptions, 'recursive' | 'signal' | 'exclude'> = {}): Promise<number> {
  let n = 0;
  for await (const e of walkFolder(root, opts)) if (e) n++;
  return n;
}
