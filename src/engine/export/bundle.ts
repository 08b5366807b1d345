// SPDX-License-Identifier: MIT
// An export is assembled in memory as name -> bytes, then written as a folder or one zip. Both are
// deterministic: names sorted, zip entries stamped with one fixed time, JSON with sorted keys.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { AppError } from '../../shared/errors';
import type { ExportedFile } from './types';

export type Bundle = Map<string, Uint8Array>;

/** The DOS epoch: zip cannot store earlier times, and any fixed time makes zips reproducible. */
export const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** JSON with keys sorted at every level, so the bytes depend only on the values. */
export function stableJson(v: unknown, indent = 2): string {
  return `${JSON.stringify(sortKeys(v), null, indent)}\n`;
}

export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function listFiles(bundle: Bundle): ExportedFile[] {
  return [...bundle.keys()].sort().map((p) => ({ path: p, bytes: bundle.get(p)!.byteLength, sha256: sha256(bundle.get(p)!) }));
}

/** A zip of the bundle: sorted entries, fixed times; already-compressed payloads are stored. */
export function zipBundle(bundle: Bundle): Uint8Array {
  const entries: Zippable = {};
  for (const name of [...bundle.keys()].sort()) {
    const stored = /\.(zip|keras|png|onnx|tflite|bin|h5)$/.test(name);
    entries[name] = [bundle.get(name)!, { level: stored ? 0 : 6, mtime: ZIP_TIME }];
  }
  return zipSync(entries, { mtime: ZIP_TIME });
}

function writeError(target: string, err: unknown): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new AppError('DISK_FULL', `The disk is full while writing ${target}. Free some space and export again.`, { target }, { cause: err });
  return new AppError('READ_ONLY', `Cannot write ${target}: ${(err as Error).message}. Choose a folder you can write to.`, { target }, { cause: err });
}

/**
 * Writes the bundle as a folder (replacing what the bundle names, leaving other files) or as a
 * zip file (written to a temporary name, then renamed). Every file is first written in full under
 * a temporary name and only then renamed into place, and the temporaries are removed on failure,
 * so a full disk or a crash never leaves a half-written file under a name the user sees.
 * Returns the per-file hashes.
 * @throws AppError DISK_FULL, READ_ONLY
 */
export async function writeBundle(bundle: Bundle, out: string, asZip: boolean): Promise<ExportedFile[]> {
  if (asZip) {
    const tmp = `${out}.tmp-${process.pid}`;
    try {
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(tmp, zipBundle(bundle));
      await fs.rename(tmp, out);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw writeError(out, err);
    }
    return listFiles(bundle);
  }
  const staging = path.join(out, `.export-tmp-${process.pid}`);
  try {
    await fs.mkdir(staging, { recursive: true });
    const names = [...bundle.keys()].sort();
    for (const [i, name] of names.entries()) await fs.writeFile(path.join(staging, String(i)), bundle.get(name)!);
    for (const [i, name] of names.entries()) {
      const file = path.join(out, ...name.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.rename(path.join(staging, String(i)), file);
    }
  } catch (err) {
    throw writeError(out, err);
  } finally {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
  return listFiles(bundle);
}
