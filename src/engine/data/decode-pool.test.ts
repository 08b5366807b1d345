// SPDX-License-Identifier: MIT
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUGMENT } from './augment';
import { decodeImage } from './decode';
import { decodeWorkerUrl, getDecodePool } from './decode-pool';
import { imageCacheInfo, imageCacheKey, readCachedImage } from './image-cache';
import { createBatchPipeline } from './pipeline';

let dir: string;
let cache: string;
const photo = () => path.join(dir, 'photo.jpg');
const rotated = () => path.join(dir, 'rotated.jpg');

/** A smooth gradient (resizing from a shrunk JPEG stays close to resizing the full image). */
function gradient(w: number, h: number): Buffer {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set([(x * 255) / w, (y * 255) / h, 128], (y * w + x) * 3);
  return rgb;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'decode-pool-'));
  cache = path.join(dir, 'cache');
  const raw = { raw: { width: 2000, height: 1500, channels: 3 as const } };
  await sharp(gradient(2000, 1500), raw).jpeg({ quality: 90 }).toFile(photo());
  // Stored landscape, EXIF says rotate 90° clockwise: upright it is portrait.
  await sharp(gradient(2000, 1500), raw).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toFile(rotated());
  writeFileSync(path.join(dir, 'bad.jpg'), 'not an image');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decode = { width: 224, height: 224 };
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('decode pool', () => {
  it('is one pool per thread, sized to the cores, running built JavaScript', () => {
    const pool = getDecodePool();
    expect(getDecodePool()).toBe(pool);
    expect(pool.size).toBe(Math.min(os.availableParallelism(), 8));
    const url = decodeWorkerUrl();
    expect(url.pathname).toMatch(/decode-worker-[0-9a-f]{16}\.mjs$/);
    expect(fileURLToPath(url)).toContain(`node_modules${path.sep}.cache`);
  });

  it('decodes a photo once: a shrunk-on-load entry, then hits with the same pixels', async () => {
    const pool = getDecodePool();
    const before = { ...pool.stats };
    const first = await pool.decode({ file: photo(), decode, seed: 0, cacheDir: cache });
    const second = await pool.decode({ file: photo(), decode, seed: 0, cacheDir: cache });
    if (!first.ok || !second.ok) throw new Error('decode failed');
    expect([first.hit, second.hit]).toEqual([false, true]);
    expect(Array.from(second.data)).toEqual(Array.from(first.data));
    expect(pool.stats.hits - before.hits).toBe(1);
    // 2000x1500 for a 224 target: libjpeg shrinks by 4 (by 8 would give 187 rows < 224).
    const entry = await readCachedImage(cache, imageCacheKey(sha(photo()), decode));
    expect(entry && [entry.width, entry.height]).toEqual([500, 375]);
    expect(imageCacheInfo(cache).bytes).toBe(16 + 500 * 375 * 3);
    // Resizing from the working size stays close to resizing the full image.
    const full = await decodeImage(photo(), decode);
    let diff = 0;
    for (let i = 0; i < full.data.length; i++) diff += Math.abs(full.data[i] - first.data[i]);
    expect(diff / full.data.length).toBeLessThan(2);
  });

  it('applies EXIF orientation before caching, and answers a bad file with its name', async () => {
    const pool = getDecodePool();
    const r = await pool.decode({ file: rotated(), decode: { width: 100, height: 50 }, seed: 0, cacheDir: cache });
    expect(r.ok).toBe(true);
    const entry = await readCachedImage(cache, imageCacheKey(sha(rotated()), { width: 100, height: 50 }));
    // Upright 1500x2000; shrink by 8 keeps ≥ 100x50.
    expect(entry && [entry.width, entry.height]).toEqual([188, 250]);
    const bad = await pool.decode({ file: path.join(dir, 'bad.jpg'), decode, seed: 0, cacheDir: cache });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/bad\.jpg: This is not an image/);
  });

  it('epochs of the batch pipeline share it: the second epoch reads only the cache, crops and flips on cached pixels', async () => {
    const items = [{ path: 'photo.jpg', label: 0 }, { path: 'rotated.jpg', label: 1 }];
    const p = (epoch: number) => createBatchPipeline({ items, root: dir, batchSize: 2, decode, augment: DEFAULT_AUGMENT, seed: 1, epoch, imageCacheDir: path.join(dir, 'epochs') });
    const e0 = p(0);
    const e1 = p(1);
    const xs: Float32Array[] = [];
    for await (const b of e0) xs.push(b.x);
    for await (const b of e1) xs.push(b.x);
    expect(e0.cache).toEqual({ hits: 0, misses: 2 });
    expect(e1.cache).toEqual({ hits: 2, misses: 0 });
    // Different epochs, different random crops of the same cached pixels.
    expect(Array.from(xs[0])).not.toEqual(Array.from(xs[1]));
    expect(imageCacheInfo(path.join(dir, 'epochs')).entries).toBe(2);
  });

  it('keeps the caller in charge of memory: the pool queues what its workers cannot take yet', async () => {
    const pool = getDecodePool();
    const reqs = Array.from({ length: pool.capacity + 3 }, () => pool.decode({ file: photo(), decode, seed: 0 }));
    expect(pool.pending).toBe(pool.capacity + 3);
    await Promise.all(reqs);
    expect(pool.pending).toBe(0);
  });
});
