// SPDX-License-Identifier: MIT
// Streams the files of a photo folder one by one (sorted, hidden files ignored), so a folder of
// 100,000 photos never sits in memory as a list. Links are followed only to files inside the
// folder; links to folders are never followed (they would count images twice or loop).
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppError } from '../../shared/errors';
import { IMAGE_EXTENSIONS } from '../data/formats';
import type { SkipCode } from '../data/types';

export type WalkEntry =
  | { kind: 'file'; abs: string; rel: string; link: boolean }
  | { kind: 'skip'; rel: string; code: SkipCode; reason: string };

export interface WalkOptions {
  recursive?: boolean;
  signal?: AbortSignal;
  /** Absolute folders not to enter (an organise destination inside the folder). */
  exclude?: readonly string[];
}

/** Names that operating systems and tools leave behind; never worth reporting. */
const JUNK = new Set(['thumbs.db', 'desktop.ini', '__macosx']);

/** True when `target` is `root` or inside it. */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

function extOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

function unsupported(rel: string, name: string): WalkEntry {
  const ext = extOf(name);
  return {
    kind: 'skip',
    rel,
    code: 'UNSUPPORTED_TYPE',
    reason: ext
      ? `Files of type ${ext} are not images this app reads (JPEG, PNG, WebP, GIF, BMP, TIFF); skipped.`
      : 'This file has no extension, so it is not treated as an image; rename it with .jpg or .png to include it.',
  };
}

/**
 * Walks `root` depth-first in sorted order.
 * @throws AppError NOT_FOUND when `root` is not a folder, CANCELLED when `signal` aborts.
 */
export async function* walkFolder(root: string, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    if (!(await stat(rootReal)).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    throw new AppError('NOT_FOUND', `The folder to classify does not exist or is not a folder: ${root}. Pass an existing folder of images.`, { path: root }, { cause: err });
  }
  const exclude = (opts.exclude ?? []).map((p) => p);

  async function* walk(absDir: string, relDir: string): AsyncGenerator<WalkEntry> {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', `Classifying ${root} was cancelled.`);
    let entries;
    try {
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      yield { kind: 'skip', rel: relDir || '.', code: 'UNREADABLE', reason: `This folder cannot be read (${code ?? String(err)}); its images were not classified.` };
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
          const loop = (err as NodeJS.ErrnoException).code === 'ELOOP';
          yield loop
            ? { kind: 'skip', rel, code: 'LINK_LOOP', reason: 'This link is part of a loop of links; it was not followed.' }
            : { kind: 'skip', rel, code: 'LINK_BROKEN', reason: 'This link points to nothing (its target is missing).' };
          continue;
        }
        if (!isInside(rootReal, target)) {
          yield { kind: 'skip', rel, code: 'LINK_OUTSIDE', reason: `This link points outside the chosen folder (to ${target}); it was not followed.` };
          continue;
        }
        if ((await stat(target)).isDirectory()) {
          const reason = isInside(target, absDir)
            ? 'This link leads back to a folder that contains it (a loop); it was not followed.'
            : 'This link leads to a folder inside the chosen folder; it was not followed, so no image is counted twice.';
          yield { kind: 'skip', rel, code: 'LINK_LOOP', reason };
          continue;
        }
        if (IMAGE_EXTENSIONS[extOf(e.name)]) yield { kind: 'file', abs, rel, link: true };
        else yield unsupported(rel, e.name);
      } else if (e.isDirectory()) {
        if (!opts.recursive) continue;
        if (exclude.some((x) => isInside(x, abs))) continue;
        yield* walk(abs, rel);
      } else if (e.isFile()) {
        if (IMAGE_EXTENSIONS[extOf(e.name)]) yield { kind: 'file', abs, rel, link: false };
        else yield unsupported(rel, e.name);
      } else {
        yield { kind: 'skip', rel, code: 'NOT_A_FILE', reason: 'This is not a regular file (a device, socket or pipe); skipped.' };
      }
    }
  }

  yield* walk(rootReal, '');
}

/** Counts what `walkFolder` will yield, without keeping any of it (for progress totals). */
export async function countFolder(root: string, opts: WalkOptions = {}): Promise<number> {
  let n = 0;
  for await (const e of walkFolder(root, opts)) if (e) n++;
  return n;
}
