// SPDX-License-Identifier: MIT
// Sorting classified files into DEST/<class>/ (and DEST/unsure/), safely:
// - never overwrite: a taken name becomes `name (2).jpg`; moves use link+unlink, which fails
//   instead of replacing;
// - only regular files inside the chosen folder whose bytes still match what was classified;
//   links are never touched;
// - every operation is appended to a JSON-lines undo log and fsynced BEFORE it happens, so
//   `undoOrganize(log)` can put everything back even after a crash.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { sha256File } from '../../platform/hash';
import { isInside } from './walk-stream';

export type OrganizeMode = 'copy' | 'move';

export interface OrganizeItem {
  relPath: string;
  /** The class folder; null for files that have no label (problems), which are left alone. */
  label: string | null;
  unsure: boolean;
  sha256: string | null;
}

export interface OrganizeSkip {
  path: string;
  reason: string;
}

export interface OrganizeSummary {
  mode: OrganizeMode;
  dest: string;
  logPath: string;
  done: number;
  skipped: OrganizeSkip[];
  /** Files per destination folder. */
  counts: Record<string, number>;
}

export interface UndoSummary {
  restored: number;
  skipped: OrganizeSkip[];
}

type LogLine =
  | { type: 'begin'; mode: OrganizeMode; root: string; dest: string; time: string }
  | { type: 'mkdir'; path: string }
  | { type: 'op'; op: OrganizeMode; from: string; to: string; sha256: string }
  | { type: 'end'; time: string }
  | { type: 'undone'; time: string };

/** Appends one line and forces it to disk before the caller acts on it. */
class UndoLog {
  private fd: number;
  constructor(file: string) {
    this.fd = openSync(file, 'a');
  }
  append(line: LogLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** A label as a single safe folder name on every OS. */
export function folderNameFor(label: string): string {
  const clean = label
    .replace(/[/\\:*?"<>|\p{Cc}]/gu, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return clean || '_';
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** `dir/name`, or `dir/name (2).ext`, `(3)`... : the first name not taken. */
export async function freeName(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, i === 1 ? name : `${stem} (${i})${ext}`);
    if (!(await exists(candidate))) return candidate;
  }
}

/** Moves without ever replacing `to`: a hard link fails on an existing name; copy+unlink across devices. */
async function moveNoReplace(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw err;
    // Another device or a file system without hard links.
    await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    const fh = await fs.open(to, 'r');
    await fh.sync();
    await fh.close();
  }
  await fs.unlink(from);
}

async function checkSource(rootReal: string, item: OrganizeItem): Promise<{ abs: string } | { reason: string }> {
  const abs = path.join(rootReal, ...item.relPath.split('/'));
  let st;
  try {
    st = await fs.lstat(abs);
  } catch {
    return { reason: 'The file is no longer there.' };
  }
  if (st.isSymbolicLink()) return { reason: 'This is a link; links are never moved or copied.' };
  if (!st.isFile()) return { reason: 'This is not a regular file.' };
  const real = await fs.realpath(abs);
  if (!isInside(rootReal, real) || real !== abs) return { reason: 'This file is reached through a link or lies outside the chosen folder; it was left alone.' };
  if (!item.sha256 || (await sha256File(abs)) !== item.sha256) return { reason: 'The file changed since it was classified; classify again first.' };
  return { abs };
}

/**
 * Copies or moves each labelled file of `root` into `dest/<label>/` (`dest/unsure/` when unsure).
 * @throws AppError INVALID_ARGUMENT when `dest` is the folder itself or a class folder would land on the source, CANCELLED on abort.
 */
export async function organizeFiles(opts: { root: string; dest: string; mode: OrganizeMode; items: Iterable<OrganizeItem>; logPath: string; signal?: AbortSignal }): Promise<OrganizeSummary> {
  const rootReal = await fs.realpath(opts.root);
  const dest = path.resolve(opts.dest);
  if (dest === rootReal) {
    throw new AppError('INVALID_ARGUMENT', `--organize must name another folder than the one classified (${dest}). Pass e.g. ${path.join(rootReal, 'sorted')}.`, { received: opts.dest });
  }
  await fs.mkdir(path.dirname(opts.logPath), { recursive: true });
  const log = new UndoLog(opts.logPath);
  const summary: OrganizeSummary = { mode: opts.mode, dest, logPath: opts.logPath, done: 0, skipped: [], counts: {} };
  const made = new Set<string>();
  const mkdirLogged = async (dir: string) => {
    if (made.has(dir)) return;
    // Log every folder this creates (outermost first) so undo can remove exactly those.
    const missing: string[] = [];
    for (let d = dir; !(await exists(d)); d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      log.append({ type: 'mkdir', path: d });
      await fs.mkdir(d);
    }
    made.add(dir);
  };
  try {
    log.append({ type: 'begin', mode: opts.mode, root: rootReal, dest, time: new Date().toISOString() });
    for (const item of opts.items) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Organising was cancelled; run undo to put back what was done.');
      if (item.label === null) continue;
      const src = await checkSource(rootReal, item);
      if ('reason' in src) {
        summary.skipped.push({ path: item.relPath, reason: src.reason });
        continue;
      }
      if (isInside(dest, src.abs)) continue;
      const folder = item.unsure ? 'unsure' : folderNameFor(item.label);
      const dir = path.join(dest, folder);
      await mkdirLogged(dir);
      for (let attempt = 0; ; attempt++) {
        const to = await freeName(dir, path.basename(src.abs));
        log.append({ type: 'op', op: opts.mode, from: src.abs, to, sha256: item.sha256 as string });
        try {
          if (opts.mode === 'move') await moveNoReplace(src.abs, to);
          else await fs.copyFile(src.abs, to, fs.constants.COPYFILE_EXCL);
          break;
        } catch (err) {
          // Someone took the name between the check and the write: pick the next one.
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 5) throw err;
        }
      }
      summary.done++;
      summary.counts[folder] = (summary.counts[folder] ?? 0) + 1;
    }
    log.append({ type: 'end', time: new Date().toISOString() });
  } finally {
    log.close();
  }
  return summary;
}

/** Reads an undo log; a torn last line (a crash mid-write) is ignored. */
export async function readUndoLog(logPath: string): Promise<LogLine[]> {
  let text: string;
  try {
    text = await fs.readFile(logPath, 'utf8');
  } catch (err) {
    throw new AppError('NOT_FOUND', `Undo log not found: ${logPath}. Nothing was organised with it, or it was deleted.`, { path: logPath }, { cause: err });
  }
  const lines: LogLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    try {
      lines.push(JSON.parse(l) as LogLine);
    } catch {
      break;
    }
  }
  return lines;
}

/**
 * Puts back what an organise run did, newest first: moved files return to their place (never
 * over a file that now sits there); copies are deleted only if their bytes still match; folders
 * it created are removed when empty.
 * @throws AppError CONFLICT when the log was already undone.
 */
export async function undoOrganize(logPath: string): Promise<UndoSummary> {
  const lines = await readUndoLog(logPath);
  if (lines.some((l) => l.type === 'undone')) throw new AppError('CONFLICT', `This organise run was already undone (${logPath}).`, { path: logPath });
  const summary: UndoSummary = { restored: 0, skipped: [] };
  for (const l of [...lines].reverse()) {
    if (l.type === 'op') {
      const toThere = await exists(l.to);
      if (!toThere) {
        // The op was logged but never happened (a crash before it), or the file was removed since.
        if (!(await exists(l.from))) summary.skipped.push({ path: l.to, reason: 'The organised file is gone; it cannot be put back.' });
        continue;
      }
      const st = await fs.lstat(l.to);
      if (!st.isFile() || (await sha256File(l.to)) !== l.sha256) {
        summary.skipped.push({ path: l.to, reason: 'The organised file was changed or replaced since; it was left where it is.' });
        continue;
      }
      if (l.op === 'copy') {
        await fs.unlink(l.to);
        summary.restored++;
      } else if (await exists(l.from)) {
        // Both exist: a crash between link and unlink leaves two names for one file.
        const same = (await fs.stat(l.from)).ino === st.ino;
        if (same) {
          await fs.unlink(l.to);
          summary.restored++;
        } else summary.skipped.push({ path: l.to, reason: `A different file now sits at ${l.from}; this one was left where it is.` });
      } else {
        await fs.mkdir(path.dirname(l.from), { recursive: true });
        await moveNoReplace(l.to, l.from);
        summary.restored++;
      }
    } else if (l.type === 'mkdir') {
      // A folder that still holds files (put there by the user) stays; rmdir never deletes content.
      await fs.rmdir(l.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST' && err.code !== 'ENOENT') throw err;
      });
    }
  }
  const fd = openSync(logPath, 'a');
  try {
    writeSync(fd, `${JSON.stringify({ type: 'undone', time: new Date().toISOString() })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return summary;
}
