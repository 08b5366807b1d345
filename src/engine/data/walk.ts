// SPDX-License-Identifier: MIT
// The one folder walker, shared by dataset scans and photo-folder classification. It streams
// entries depth-first in sorted order, so a folder of 100,000 photos never sits in memory as a
// list, and it never leaves the root: symbolic links to files inside the root are followed;
// links to folders are not (their target is already inside the root and would be counted twice,
// and a link to an ancestor would loop forever); links that lead outside or nowhere are reported.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../shared/errors';
import { IMAGE_EXTENSIONS } from './formats';
import type { SkipCode, SkippedFile } from './types';

export type WalkEntry =
  | { kind: 'file'; abs: string; rel: string; link: boolean }
  | { kind: 'dir'; abs: string; rel: string }
  | { kind: 'skip'; rel: string; code: SkipCode; reason: string };

export interface WalkOptions {
  /** Enter sub-folders (default true). */
  recursive?: boolean;
  signal?: AbortSignal;
  /** Absolute folders not to enter (an organise destination inside the folder). */
  exclude?: readonly string[];
  /** Yield only files with an image extension; others are reported as UNSUPPORTED_TYPE (classification). */
  imagesOnly?: boolean;
  /** Report folders named like images (a dataset's class folders must not be mistaken for files). */
  reportImageNamedFolders?: boolean;
  /** How messages name the root and what happens to its images: 'dataset folder' / 'scanned'. */
  wording?: { root: string; verb: string };
}

/** Names that operating systems and tools leave behind; never worth reporting. */
const JUNK = new Set(['thumbs.db', 'desktop.ini', '__macosx']);

/** True when `target` is `root` or inside it (whole path segments). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

export function extOf(name: string): string {
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
 * Walks `root` depth-first in sorted order, skipping hidden entries (names starting with `.`).
 * @throws AppError NOT_FOUND when `root` is not a folder, CANCELLED when `signal` aborts.
 */
export async function* walkFiles(root: string, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const { root: noun, verb } = opts.wording ?? { root: 'chosen folder', verb: 'read' };
  const base = resolve(root);
  let rootReal: string;
  try {
    rootReal = await realpath(base);
    if (!(await stat(rootReal)).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    throw new AppError('NOT_FOUND', `The ${noun} does not exist or is not a folder: ${root}. Pass an existing folder of images.`, { path: root }, { cause: err });
  }
  const recursive = opts.recursive ?? true;
  const exclude = opts.exclude ?? [];
  const file = (abs: string, rel: string, name: string, link: boolean): WalkEntry =>
    !opts.imagesOnly || IMAGE_EXTENSIONS[extOf(name)] ? { kind: 'file', abs, rel, link } : unsupported(rel, name);

  async function* walk(absDir: string, relDir: string): AsyncGenerator<WalkEntry> {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', `Reading ${root} was cancelled.`);
    let entries;
    try {
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' || code === 'EPERM' ? 'cannot be opened (permission denied)' : `cannot be read (${code ?? String(err)})`;
      yield { kind: 'skip', rel: relDir || '.', code: 'UNREADABLE', reason: `This folder ${why}; its images were not ${verb}.` };
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
          yield (err as NodeJS.ErrnoException).code === 'ELOOP'
            ? { kind: 'skip', rel, code: 'LINK_LOOP', reason: 'This link is part of a loop of links; it was not followed.' }
            : { kind: 'skip', rel, code: 'LINK_BROKEN', reason: 'This link points to nothing (its target is missing).' };
          continue;
        }
        if (!isInside(rootReal, target)) {
          yield { kind: 'skip', rel, code: 'LINK_OUTSIDE', reason: `This link points outside the ${noun} (to ${target}); it was not followed. Copy the images in instead.` };
          continue;
        }
        if ((await stat(target)).isDirectory()) {
          const here = join(rootReal, ...relDir.split('/').filter(Boolean));
          const reason = isInside(target, here)
            ? 'This link leads back to a folder that contains it (a loop); it was not followed.'
            : `This link leads to a folder already in the ${noun} (${relative(rootReal, target).split(sep).join('/') || '.'}); it was not followed, so its images are not counted twice.`;
          yield { kind: 'skip', rel, code: 'LINK_LOOP', reason };
          continue;
        }
        yield file(abs, rel, e.name, true);
      } else if (e.isDirectory()) {
        if (opts.reportImageNamedFolders && IMAGE_EXTENSIONS[extOf(e.name)]) {
          yield { kind: 'skip', rel, code: 'NOT_A_FILE', reason: `This is a folder whose name looks like an image, not an image; any images inside it were ${verb}.` };
        }
        if (!recursive || exclude.some((x) => isInside(x, abs))) continue;
        yield { kind: 'dir', abs, rel };
        yield* walk(abs, rel);
      } else if (e.isFile()) {
        yield file(abs, rel, e.name, false);
      } else {
        yield { kind: 'skip', rel, code: 'NOT_A_FILE', reason: 'This is not a regular file (a device, socket or pipe); skipped.' };
      }
    }
  }

  yield* walk(base, '');
}

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

/** A whole dataset folder, collected (a scan needs every file to find classes and duplicates). */
export async function walkDataset(root: string, signal?: AbortSignal): Promise<WalkResult> {
  const out: WalkResult = { files: [], skipped: [], dirs: [] };
  for await (const e of walkFiles(root, { signal, reportImageNamedFolders: true, wording: { root: 'dataset folder', verb: 'scanned' } })) {
    if (e.kind === 'file') out.files.push({ abs: e.abs, rel: e.rel });
    else if (e.kind === 'dir') out.dirs.push(e.rel);
    else out.skipped.push({ path: e.rel, code: e.code, reason: e.reason });
  }
  return out;
}
