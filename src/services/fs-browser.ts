// SPDX-License-Identifier: MIT
// fs.list: the folder browser of browser mode. A web page cannot open a native dialog that
// hands back a path, so the server lists folders itself, confined to the user's home and the
// folders chosen in this session: `..` and symlinks that lead elsewhere are refused.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { IMAGE_EXTENSIONS } from '../engine/data/formats';
import { AppError } from '../shared/errors';
import type { Handlers } from '../shared/ipc/contract';
import type { FolderListing, fsMethods } from '../shared/ipc/methods/fs';
import { listDatasets } from '../store/repos/datasets';
import type { ServiceContext } from './context';
import { isInside, reachableRoots } from './paths';

/** At most this many entries of one folder are read, so a huge folder cannot stall the server. */
export const MAX_ENTRIES = 5000;

export interface BrowseScope {
  home: string;
  /** Further folders the user chose (native dialog, CLI arguments). */
  allowed: Iterable<string>;
}

const inside = isInside;

async function realRoots(scope: BrowseScope): Promise<string[]> {
  const out: string[] = [];
  for (const r of [scope.home, ...scope.allowed]) {
    try {
      const real = await fs.realpath(r);
      if (!out.includes(real)) out.push(real);
    } catch {
      // A chosen folder that was deleted since is simply no longer browsable.
    }
  }
  return out;
}

async function countEntries(dir: string): Promise<{ images: number; folders: number }> {
  let images = 0;
  let folders = 0;
  try {
    const handle = await fs.opendir(dir);
    let n = 0;
    for await (const e of handle) {
      if (++n > MAX_ENTRIES) break;
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) folders++;
      else if (IMAGE_EXTENSIONS[path.extname(e.name).toLowerCase()]) images++;
    }
  } catch {
    // Unreadable folders show as empty; opening them reports the reason.
  }
  return { images, folders };
}

/**
 * Lists the sub-folders of `target` (default: the home folder) with their image counts.
 * @throws AppError FORBIDDEN_PATH when `target`, after resolving `..` and symlinks, lies outside
 *   the home folder and the chosen folders; NOT_FOUND when it does not exist or is not a folder.
 */
export async function listFolder(target: string | undefined, scope: BrowseScope): Promise<FolderListing> {
  const roots = await realRoots(scope);
  const home = roots[0] ?? path.resolve(scope.home);
  const requested = path.resolve(home, target ?? home);
  let real: string;
  try {
    real = await fs.realpath(requested);
  } catch {
    throw new AppError('NOT_FOUND', `Folder ${JSON.stringify(target)} does not exist. Pick a folder from the list or type a path inside ${home}.`, { received: target });
  }
  const root = roots.find((r) => inside(real, r));
  if (!root) {
    throw new AppError(
      'FORBIDDEN_PATH',
      `Folder ${JSON.stringify(target)} (${real}) is outside your home folder ${home}. Browser mode only shows folders inside it; move the images there or start the desktop app.`,
      { received: target, resolved: real },
    );
  }
  if (!(await fs.stat(real)).isDirectory()) throw new AppError('NOT_FOUND', `${real} is a file, not a folder. Pick the folder that holds one sub-folder per class.`, { received: target });

  const folders: FolderListing['folders'] = [];
  let images = 0;
  let truncated = false;
  let n = 0;
  for await (const e of await fs.opendir(real)) {
    if (++n > MAX_ENTRIES) {
      truncated = true;
      break;
    }
    if (e.name.startsWith('.')) continue;
    const full = path.join(real, e.name);
    if (e.isSymbolicLink()) {
      // Follow a link only when it stays inside what may be browsed.
      const to = await fs.realpath(full).catch(() => '');
      if (!to || !roots.some((r) => inside(to, r))) continue;
      const st = await fs.stat(to);
      if (st.isDirectory()) folders.push({ name: e.name, path: full, ...(await countEntries(to)) });
      else if (IMAGE_EXTENSIONS[path.extname(e.name).toLowerCase()]) images++;
    } else if (e.isDirectory()) folders.push({ name: e.name, path: full, ...(await countEntries(full)) });
    else if (IMAGE_EXTENSIONS[path.extname(e.name).toLowerCase()]) images++;
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  return { path: real, parent: real === root ? null : path.dirname(real), home, roots, folders, images, truncated };
}

/**
 * PNG data URLs of image files, `size` pixels square (centre crop). Only files inside `scope`
 * are read; others, and files that do not decode, come back with `dataUrl: null` and the reason.
 */
export async function thumbnails(paths: readonly string[], size: number, scope: BrowseScope): Promise<{ path: string; dataUrl: string | null; error?: string }[]> {
  const roots = await realRoots(scope);
  const out = [];
  for (const p of paths) {
    try {
      const real = await fs.realpath(path.resolve(p));
      if (!roots.some((r) => inside(real, r))) throw new AppError('FORBIDDEN_PATH', `${p} is outside your home folder and the folders you chose.`);
      const png = await sharp(real, { limitInputPixels: 100_000_000 }).rotate().resize(size, size, { fit: 'cover' }).png().toBuffer();
      out.push({ path: p, dataUrl: `data:image/png;base64,${png.toString('base64')}` });
    } catch (err) {
      out.push({ path: p, dataUrl: null, error: (err as Error).message });
    }
  }
  return out;
}

/**
 * fs.* and dialog.*. The native dialog exists only in Electron: its main process replaces
 * 'dialog.openFolder' with one that calls `dialog.showOpenDialog` and adds the choice to
 * `ctx.allowedRoots`.
 */
export function fsHandlers(ctx: ServiceContext): Handlers<typeof fsMethods> {
  return {
    'fs.list': async ({ path: target }) => listFolder(target, { home: os.homedir(), allowed: reachableRoots(ctx) }),
    'fs.choose': async ({ path: target }) => {
      const { path: real } = await listFolder(target, { home: os.homedir(), allowed: reachableRoots(ctx) });
      ctx.allowedRoots.add(real);
      return { path: real };
    },
    'fs.thumbnails': async ({ paths, size }) =>
      thumbnails(paths, size ?? 96, { home: os.homedir(), allowed: [...reachableRoots(ctx), ...listDatasets(ctx.db).map((d) => d.root)] }),
    'dialog.openFolder': async () => {
      throw new AppError('UNSUPPORTED', `A native folder dialog needs the desktop app; this is ${ctx.mode} mode. Use the folder browser (fs.list) or type the folder's path.`, { mode: ctx.mode });
    },
  };
}
