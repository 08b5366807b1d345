// SPDX-License-Identifier: MIT
// The on-disk feature cache: one folder per key (model, weights, freeze boundary, preprocessing,
// input size, decode settings), holding shard files of float32 rows addressed by the image's
// content hash. A shard is written to a temp file and renamed, so a crash leaves whole shards or
// none; rows are read with positioned reads, so memory stays bounded whatever the cache size.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync, fsyncSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

/** Everything that changes the features of an image. Two keys with equal JSON share a cache. */
export interface FeatureCacheKey {
  /** Zoo id (or another model id). */
  model: string;
  /** Weights identity: 'nsfwjs@4.2.0', 'imagenet:<file hash>', a file's sha256, … */
  weights: string;
  /** Last layer of the frozen part; with `pooling` the cache holds the pooled vector. */
  boundary: string;
  pooling: 'avg' | 'max' | null;
  /** Keras preprocess mode applied to 0..255 pixels before the frozen part. */
  preprocess: string;
  /** [height, width] the images are resized to. */
  inputSize: [number, number];
  /** Decode settings that change pixels (interpolation, alpha, crop, EXIF). */
  decode: Record<string, unknown>;
  /** sha256 of the frozen part's ONNX bytes: graph and weights, whatever the names say. */
  frozenSha256: string;
}

const MAGIC = 'TSFEAT01';
const SHARD_EXT = '.feat';
/** Rows are flushed to a shard file when the pending rows reach this size. */
const SHARD_BYTES = 32 * 1024 * 1024;

interface ShardHeader {
  rows: number;
  rowFloats: number;
  dtype: 'float32';
  hashes: string[];
}

interface Shard {
  file: string;
  fd: number;
  dataOffset: number;
}

/** Stable JSON: object keys sorted, so key equality does not depend on field order. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The folder name of a key: the first 32 hex digits of sha256(stable JSON). */
export function featureCacheKeyHash(key: FeatureCacheKey): string {
  return createHash('sha256').update(stableJson(key)).digest('hex').slice(0, 32);
}

/**
 * An open feature cache. Lookups by content hash; `append` buffers rows and `flush` writes them
 * as one new shard. Call `close` when done (it flushes).
 */
export class FeatureCache {
  readonly dir: string;
  readonly rowFloats: number;
  readonly featureShape: readonly number[];
  private readonly index = new Map<string, { shard: number; row: number }>();
  private readonly shards: Shard[] = [];
  private pending: { hashes: string[]; rows: Float32Array[] } = { hashes: [], rows: [] };
  private closed = false;

  private constructor(dir: string, featureShape: readonly number[]) {
    this.dir = dir;
    this.featureShape = featureShape;
    this.rowFloats = featureShape.reduce((a, b) => a * b, 1);
  }

  /**
   * Opens (or creates) the cache for `key` under `root` (featureCacheDir() in the app). Shards
   * left by earlier runs are indexed; unfinished temp files are removed.
   * @throws AppError FILE_CORRUPT when a shard's header is unreadable or its row size disagrees.
   */
  static open(root: string, key: FeatureCacheKey, featureShape: readonly number[]): FeatureCache {
    const dir = path.join(root, featureCacheKeyHash(key));
    mkdirSync(dir, { recursive: true });
    const keyFile = path.join(dir, 'key.json');
    const meta = { key, featureShape };
    if (existsSync(keyFile)) {
      const stored = JSON.parse(readFileSync(keyFile, 'utf8')) as typeof meta;
      if (stableJson(stored) !== stableJson(meta)) {
        // Same hash, different content: never trust rows written for something else.
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        atomicWrite(keyFile, JSON.stringify(meta, null, 1));
      }
    } else {
      atomicWrite(keyFile, JSON.stringify(meta, null, 1));
    }
    const cache = new FeatureCache(dir, featureShape);
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.tmp')) rmSync(path.join(dir, name), { force: true });
      else if (name.endsWith(SHARD_EXT)) cache.indexShard(path.join(dir, name));
    }
    return cache;
  }

  private indexShard(file: string): void {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(12);
      readSync(fd, head, 0, 12, 0);
      if (head.toString('latin1', 0, 8) !== MAGIC) throw new Error('bad magic');
      const len = head.readUInt32LE(8);
      const json = Buffer.alloc(len);
      readSync(fd, json, 0, len, 12);
      const header = JSON.parse(json.toString('utf8')) as ShardHeader;
      if (header.rowFloats !== this.rowFloats || header.hashes.length !== header.rows) {
        throw new Error(`rows of ${header.rowFloats} floats, expected ${this.rowFloats}`);
      }
      const shard = this.shards.length;
      this.shards.push({ file, fd, dataOffset: align4(12 + len) });
      header.hashes.forEach((h, row) => this.index.set(h, { shard, row }));
    } catch (err) {
      closeSync(fd);
      throw new AppError('FILE_CORRUPT', `Feature cache shard ${file} is unreadable (${(err as Error).message}). Delete the folder ${path.dirname(file)} to rebuild it.`, { file }, { cause: err });
    }
  }

  /** Number of distinct images with features (written or pending). */
  get size(): number {
    return this.index.size + this.pending.hashes.length;
  }

  has(sha256: string): boolean {
    return this.index.has(sha256) || this.pending.hashes.includes(sha256);
  }

  /** Content hashes among `hashes` that have no row yet (each once, in first-seen order). */
  missing(hashes: Iterable<string>): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const h of hashes) {
      if (seen.has(h) || this.index.has(h)) continue;
      seen.add(h);
      out.push(h);
    }
    return out;
  }

  /**
   * Adds rows (`data` holds hashes.length rows back to back); writes a shard when enough are pending.
   * @throws AppError INVALID_INPUT when the data length is not hashes.length rows.
   */
  append(hashes: readonly string[], data: Float32Array): void {
    this.assertOpen();
    if (data.length !== hashes.length * this.rowFloats) {
      throw new AppError('INVALID_INPUT', `FeatureCache.append: ${hashes.length} rows of ${this.rowFloats} floats need ${hashes.length * this.rowFloats} values; received ${data.length}.`);
    }
    hashes.forEach((h, i) => {
      if (this.index.has(h)) return;
      this.pending.hashes.push(h);
      this.pending.rows.push(data.slice(i * this.rowFloats, (i + 1) * this.rowFloats));
    });
    if (this.pending.hashes.length * this.rowFloats * 4 >= SHARD_BYTES) this.flush();
  }

  /** Writes pending rows as a new shard (temp file, fsync, rename). */
  flush(): void {
    this.assertOpen();
    const { hashes, rows } = this.pending;
    if (hashes.length === 0) return;
    const header: ShardHeader = { rows: hashes.length, rowFloats: this.rowFloats, dtype: 'float32', hashes };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const head = Buffer.alloc(align4(12 + json.length));
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(json.length, 8);
    json.copy(head, 12);
    const name = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}${SHARD_EXT}`;
    const tmp = path.join(this.dir, `.tmp-${name}`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, head);
      for (const r of rows) writeSync(fd, new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const file = path.join(this.dir, name);
    renameSync(tmp, file);
    this.pending = { hashes: [], rows: [] };
    this.indexShard(file);
  }

  /**
   * Reads the rows of `hashes` into `out` (or a new array), in order. Duplicated hashes are fine.
   * @throws AppError NOT_FOUND naming the first hash without a row.
   */
  read(hashes: readonly string[], out?: Float32Array): Float32Array {
    this.assertOpen();
    const dst = out ?? new Float32Array(hashes.length * this.rowFloats);
    const rowBytes = this.rowFloats * 4;
    const bytes = new Uint8Array(dst.buffer, dst.byteOffset, hashes.length * rowBytes);
    hashes.forEach((h, i) => {
      const at = this.index.get(h);
      if (!at) {
        const p = this.pending.hashes.indexOf(h);
        if (p < 0) throw new AppError('NOT_FOUND', `No cached features for image ${h} in ${this.dir}. Extract features for it first.`, { sha256: h });
        dst.set(this.pending.rows[p], i * this.rowFloats);
        return;
      }
      const s = this.shards[at.shard];
      const n = readSync(s.fd, bytes, i * rowBytes, rowBytes, s.dataOffset + at.row * rowBytes);
      if (n !== rowBytes) throw new AppError('FILE_CORRUPT', `Feature cache shard ${s.file} is truncated (row ${at.row}). Delete ${this.dir} to rebuild it.`, { file: s.file });
    });
    return dst;
  }

  /** Flushes pending rows and closes the shard files. */
  close(): void {
    if (this.closed) return;
    this.flush();
    for (const s of this.shards) closeSync(s.fd);
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('INTERNAL', `The feature cache ${this.dir} is closed.`);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${path.dirname(file)}/.tmp-${randomUUID().slice(0, 8)}-${path.basename(file)}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
