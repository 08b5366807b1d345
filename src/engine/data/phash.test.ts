// SPDX-License-Identifier: MIT
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeRgb, markedRgb } from '../../../test/fixtures/images';
import { photoPng, resizedCopy } from '../../../test/fixtures/photos';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { FLAT_SPREAD, hammingDistance, hashOfThumb, isNearDuplicate, NEAR_DISTANCE, NEAR_PIXELS, perceptualHash, THUMB_H, THUMB_W, thumbDistance } from './phash';

let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'phash-'));
  const a = await photoPng(96, 1);
  await writeFile(file('a.png'), a);
  await writeFile(file('a-small.jpg'), await resizedCopy(a, 40, 60));
  await writeFile(file('a-big.webp'), await sharp(a).resize(160, 160).webp({ quality: 50 }).toBuffer());
  await writeFile(file('a-brighter.png'), await sharp(a).modulate({ brightness: 1.08 }).png().toBuffer());
  for (let s = 2; s <= 9; s++) await writeFile(file(`other-${s}.png`), await photoPng(96, s));
  await writeFile(file('flat-1.png'), await encodeRgb(markedRgb(32, 32, [220, 20, 20], 1), 32, 32, 'png'));
  await writeFile(file('flat-2.png'), await encodeRgb(markedRgb(32, 32, [220, 20, 20], 7), 32, 32, 'png'));
});

describe('perceptual hash', () => {
  it('hashes a known thumbnail bit by bit', () => {
    // Each row falls from left to right: every "brighter than the right neighbour" bit is set.
    // The dHash comes from 2×2 averages of the 18×16 thumbnail: columns fall in steps of 25 per pair.
    const rgb = new Uint8Array(THUMB_W * THUMB_H * 3);
    for (let y = 0; y < THUMB_H; y++) for (let x = 0; x < THUMB_W; x++) rgb.fill(250 - (x >> 1) * 25, (y * THUMB_W + x) * 3, (y * THUMB_W + x) * 3 + 3);
    const h = hashOfThumb(rgb);
    expect(h.dhash).toBe('ff'.repeat(8));
    expect(h.mean).toEqual([150, 150, 150]);
    expect(h.thumb).toHaveLength(THUMB_W * THUMB_H * 2);
    expect(h.thumb.slice(0, 6)).toBe('fafae1');
    expect(thumbDistance(h.thumb, h.thumb)).toBe(0);
    expect(h.spread).toBeGreaterThan(60);
    expect(hammingDistance(h.dhash, '00'.repeat(8))).toBe(64);
    expect(hammingDistance('0f00000000000001', '0000000000000000')).toBe(5);
  });

  it('catches resized and re-encoded copies of a real image', async () => {
    const a = await perceptualHash(file('a.png'));
    expect(a.spread).toBeGreaterThan(FLAT_SPREAD);
    for (const copy of ['a-small.jpg', 'a-big.webp', 'a-brighter.png']) {
      const c = await perceptualHash(file(copy));
      expect(hammingDistance(a.dhash, c.dhash), copy).toBeLessThanOrEqual(NEAR_DISTANCE);
      expect(thumbDistance(a.thumb, c.thumb), copy).toBeLessThanOrEqual(NEAR_PIXELS);
      expect(isNearDuplicate(a, c), copy).toBe(true);
    }
  });

  it('tells different images apart', async () => {
    const a = await perceptualHash(file('a.png'));
    const distances: number[] = [];
    for (let s = 2; s <= 9; s++) {
      const o = await perceptualHash(file(`other-${s}.png`));
      distances.push(hammingDistance(a.dhash, o.dhash));
      expect(isNearDuplicate(a, o), `other-${s}`).toBe(false);
    }
    expect(Math.min(...distances)).toBeGreaterThan(NEAR_DISTANCE);
  });

  it('never matches nearly flat images by their hash (a solid colour with a small mark)', async () => {
    const f1 = await perceptualHash(file('flat-1.png'));
    const f2 = await perceptualHash(file('flat-2.png'));
    expect(f1.spread).toBeLessThan(FLAT_SPREAD);
    expect(isNearDuplicate(f1, f2)).toBe(false);
  });

  it('does not trust the hash alone: different Fashion-MNIST items share dHashes by the hundred', async () => {
    const fm = path.join(dir, 'fm');
    const { files } = await writeFashionMnistFolder(fm, { perClass: 30, splits: ['test'] });
    const hashes = await Promise.all(files.map((f) => perceptualHash(path.join(fm, f.path))));
    let hashOnly = 0;
    let minPixels = Number.POSITIVE_INFINITY;
    for (let a = 0; a < hashes.length; a++) {
      for (let b = a + 1; b < hashes.length; b++) {
        if (hammingDistance(hashes[a].dhash, hashes[b].dhash) > NEAR_DISTANCE) continue;
        hashOnly++;
        minPixels = Math.min(minPixels, thumbDistance(hashes[a].thumb, hashes[b].thumb));
      }
    }
    // Hundreds of different items share a dHash within NEAR_DISTANCE bits; this is why the hash
    // alone is never trusted, and why images this small are matched by bytes only (health.ts).
    expect(hashOnly).toBeGreaterThan(100);
    expect(minPixels).toBeGreaterThan(0);
  }, 60_000);
});
