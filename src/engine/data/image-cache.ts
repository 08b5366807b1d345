// SPDX-License-Identifier: MIT
// The decoded-image cache (issue 16: each photo decoded once). An entry is one image decoded at
// its working size (JPEG shrink-on-load to the smallest size still at least the target, EXIF
// orientation and alpha applied) as 8-bit RGB, keyed by the file's sha256 and the decode settings.
// Epochs, evaluation and classification resize (and augment) from it, so a 12 MP photo is
// decoded once, not once per epoch. Entries are written to a temp file and renamed, so a killed
// writer leaves a whole entry or none; a reader also checks the header and the length. The cache
// is bounded: hits touch the file's mtime and pruning removes the least recently used entries.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

/** What changes an entry's pixels besides the file's bytes. */
export interface ImageCacheVariant {
  /** Target [width, height]: it sets the working size. */
  width: number;
  height: number;
  alpha?: string;
  applyExifOrientation?: boolean;
  /** The aspect crop changes how far a JPEG may shrink on load. */
  cropToAspectRatio?: boolean;
}

export interface CachedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ImageCacheInfo {
  dir: string;
  entries: number;
  bytes: number;
  /** Leftovers of killed writers (removed by the next prune). */
  partial: number;
}

const MAGIC = Buffer.from('TSIMG001', 'latin1');
const HEADER = 16;
const EXT = '.rgb';
/** Default bound: 2 GiB, enough for ~4,000 phone photos at 224 px working size or Fashion-MNIST many times over. */
export const DEFAULT_IMAGE_CACHE_BYTES = 2 * 1024 ** 3;

/** The entry name of an image: its sha256 plus a short hash of the settings. */
export function imageCacheKey(sha256: string, v: ImageCacheVariant): string {
  const settings = `${v.width}x${v.height}|${v.alpha ?? 'white'}|${v.applyExifOrientation ?? true}|${v.cropToAspectRatio ?? false}`;
  return `${sha256}-${createHash('sha256').update(settings).digest('hex').slice(0, 12)}`;
}

function entryFile(dir: string, key: string): string {
  return path.join(dir, key.slice(0, 2), key + EXT);
}

/** Reads an entry; null when absent or not whole (a bad entry is deleted). A hit marks the entry recently used. */
export async function readCachedImage(dir: string, key: string): Promise<CachedImage | null> {
  const file = entryFile(dir, key);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    return null;
  }
  const width = buf.length >= HEADER ? buf.readUInt32LE(8) : 0;
  const height = buf.length >= HEADER ? buf.readUInt32LE(12) : 0;
  if (buf.length < HEADER || !buf.subarray(0, 8).equals(MAGIC) || buf.length !== HEADER + width * height * 3) {
    await fs.rm(file, { force: true });
    return null;
  }
  const now = new Date();
  await fs.utimes(file, now, now).catch(() => undefined);
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + HEADER, width * height * 3), width, height };
}

/** Writes an entry atomically (temp file in the same folder, then rename). Returns the bytes written. */
export async function writeCachedImage(dir: string, key: string, img: CachedImage): Promise<number> {
  const file = entryFile(dir, key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(img.width, 8);
  header.writeUInt32LE(img.height, 12);
  const tmp = `${file}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writev([header, Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)]);
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
  return HEADER + img.data.byteLength;
}

interface Listed {
  file: string;
  bytes: number;
  mtimeMs: number;
  partial: boolean;
}

function list(dir: string): Listed[] {
  let subs: string[];
  try {
    subs = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Listed[] = [];
  for (const sub of subs) {
    const d = path.join(dir, sub);
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(d, name);
      try {
        const st = statSync(file);
        out.push({ file, bytes: st.size, mtimeMs: st.mtimeMs, partial: !name.endsWith(EXT) });
      } catch {
        // Removed by another process meanwhile.
      }
    }
  }
  return out;
}

export function imageCacheInfo(dir: string): ImageCacheInfo {
  const all = list(dir);
  const entries = all.filter((e) => !e.partial);
  return { dir, entries: entries.length, bytes: entries.reduce((s, e) => s + e.bytes, 0), partial: all.length - entries.length };
}

/**
 * Removes the least recently used entries until the cache holds at most `maxBytes`, and temp
 * files of writers that died (older than a minute, so live writers are left alone).
 */
export function pruneImageCache(dir: string, maxBytes: number): { removed: number; bytes: number } {
  const all = list(dir);
  let removed = 0;
  const cutoff = Date.now() - 60_000;
  for (const e of all) {
    if (e.partial && e.mtimeMs < cutoff) {
      rmSync(e.file, { force: true });
      removed++;
    }
  }
  const entries = all.filter((e) => !e.partial).sort((a, b) => a.mtimeMs - b.mtimeMs);
  let bytes = entries.reduce((s, e) => s + e.bytes, 0);
  for (const e of entries) {
    if (bytes <= maxBytes) break;
    try {
      unlinkSync(e.file);
    } catch {
      continue;
    }
    bytes -= e.bytes;
    removed++;
  }
  return { removed, bytes };
}

/** Deletes every entry. */
export function clearImageCache(dir: string): { removed: number; bytes: number } {
  const info = imageCacheInfo(dir);
  rmSync(dir, { recursive: true, force: true });
  return { removed: info.entries + info.partial, bytes: info.bytes };
}
