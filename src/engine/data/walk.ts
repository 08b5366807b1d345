// SPDX-License-Identifier: MIT
// Lists every file under a dataset root without leaving it. Symbolic links to files inside the
// root are followed; links to folders are not, because their target is already inside the root
// and would be counted twice (and a link to an ancestor would loop forever); links that lead
// outside the root or nowhere are reported.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppError } from '../../shared/errors';
import { IMAGE_EXTENSIONS } from './formats';
import type { SkippedFile } from './types';

export interface WalkedFile {
  abs: string;
  /** Relative to the root, `/`-separated. */
  rel: string;
}

export interface WalkResult {
  files: WalkedFile[];
  skipped: SkippedFile[];
  /** Every folder seen, relative, `/`-separated (used to find class and split folders). */
  dirs: string[];
}

/** Names that operating systems and tools leave behind; never worth reporting. */
const JUNK = new Set(['thumbs.db', 'desktop.ini', '__macosx']);

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

function extOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * Walks `root` depth-first in sorted order, skipping hidden entries (names starting with `.`).
 * @throws AppError CANCELLED when `signal` aborts.
 */
export async function walkDataset(root: string, signal?: AbortSignal): Promise<WalkResult> {
  const rootReal = await realpath(root);
  const files: WalkedFile[] = [];
  const skipped: SkippedFile[] = [];
  const dirs: string[] = [];

  async function walk(absDir: string, relDir: string): Promise<void> {
    if (signal?.aborted) throw new AppError('CANCELLED', `The scan of ${root} was cancelled.`);
    let entries;
    try {
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      const code = (err as { code?: string }).code;
      skipped.push({
        path: relDir,
        code: 'UNREADABLE',
        reason:
          code === 'EACCES' || code === 'EPERM'
            ? 'This folder cannot be opened (permission denied); its images were not scanned.'
            : `This folder cannot be read (${code ?? String(err)}); its images were not scanned.`,
      });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || JUNK.has(e.name.toLowerCase())) continue;
      const abs = join(absDir, e.name);
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(abs);
        } catch (err) {
          const code = (err as { code?: string }).code;
          skipped.push(
            code === 'ELOOP'
              ? { path: rel, code: 'LINK_LOOP', reason: 'This link is part of a loop of links; it was not followed.' }
              : { path: rel, code: 'LINK_BROKEN', reason: 'This link points to nothing (its target is missing).' },
          );
          continue;
        }
        if (!inside(rootReal, target)) {
          skipped.push({
            path: rel,
            code: 'LINK_OUTSIDE',
            reason: `This link points outside the dataset folder (to ${target}); copy the images in instead.`,
          });
          continue;
        }
        const st = await stat(abs);
        if (st.isDirectory()) {
          const relTarget = relative(rootReal, target).split(sep).join('/');
          const loop = inside(target, join(rootReal, ...relDir.split('/')));
          skipped.push({
            path: rel,
            code: 'LINK_LOOP',
            reason: loop
              ? 'This link leads back to a folder that contains it (a loop); it was not followed.'
              : `This link leads to a folder already in the dataset (${relTarget || '.'}); it was not followed, so its images are not counted twice.`,
          });
          continue;
        }
        files.push({ abs, rel });
      } else if (e.isDirectory()) {
        if (IMAGE_EXTENSIONS[extOf(e.name)]) {
          skipped.push({
            path: rel,
            code: 'NOT_A_FILE',
            reason: 'This is a folder whose name looks like an image, not an image; any images inside it were scanned.',
          });
        }
        dirs.push(rel);
        await walk(abs, rel);
      } else {
        files.push({ abs, rel });
      }
    }
  }

  await walk(root, '');
  return { files, skipped, dirs };
}

export { extOf };
