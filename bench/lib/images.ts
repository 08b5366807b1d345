// SPDX-License-Identifier: MIT
// Photo-like JPEG files for the benchmarks: smooth gradients, a few blobs and sensor-like noise,
// so the encoded size and decode cost resemble camera pictures rather than flat test cards.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../../src/engine/data/rng';

export function photoPixels(width: number, height: number, seed: number): Buffer {
  const rnd = createRng(seed).next;
  const px = Buffer.alloc(width * height * 3);
  const base = [rnd() * 255, rnd() * 255, rnd() * 255];
  const grad = [rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 2 - 1];
  const blobs = Array.from({ length: 6 }, () => ({ x: rnd() * width, y: rnd() * height, r: (0.05 + rnd() * 0.25) * width, c: [rnd() * 255, rnd() * 255, rnd() * 255] }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        let v = base[c] + grad[c] * 120 * (x / width - y / height);
        for (const b of blobs) {
          const d = Math.hypot(x - b.x, y - b.y);
          if (d < b.r) v = v * 0.4 + b.c[c] * 0.6;
        }
        px[at + c] = Math.max(0, Math.min(255, v + (rnd() - 0.5) * 24));
      }
    }
  }
  return px;
}

/** Writes `n` JPEGs (`img_0000.jpg`, ...) of width×height into `dir`; returns their paths. */
export async function writeJpegs(dir: string, n: number, width = 500, height = 375, seed = 1): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = join(dir, `img_${String(i).padStart(5, '0')}.jpg`);
    await sharp(photoPixels(width, height, seed + i), { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(p);
    paths.push(p);
  }
  return paths;
}

/**
 * Writes `n` JPEG files into `dir` quickly by reusing `distinct` encoded images (written to
 * `seedDir`) under new names; decode cost is the same. For the 10,000-file folders.
 */
export async function writeManyJpegs(dir: string, seedDir: string, n: number, distinct = 64, width = 500, height = 375): Promise<string[]> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const seeds = await writeJpegs(seedDir, Math.min(n, distinct), width, height);
  const bytes = seeds.map((p) => readFileSync(p));
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = join(dir, `photo_${String(i).padStart(5, '0')}.jpg`);
    writeFileSync(p, bytes[i % bytes.length]);
    paths.push(p);
  }
  return paths;
}

/**
 * Writes `n` distinct phone-sized JPEGs (4032x3024, quality 92, a third stored sideways with
 * EXIF orientation 6, as phones do): a photo-like image scaled up with per-pixel sensor noise,
 * so each file is a few MB and decodes like a camera picture.
 */
export async function writePhonePhotos(dir: string, n: number, seed = 7): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const [W, H] = [4032, 3024];
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const small = photoPixels(504, 378, seed + i);
    const big = await sharp(small, { raw: { width: 504, height: 378, channels: 3 } }).resize(W, H, { kernel: 'cubic' }).raw().toBuffer();
    let s = (seed * 7919 + i * 104729) >>> 0;
    for (let k = 0; k < big.length; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      big[k] = Math.max(0, Math.min(255, big[k] + ((s >>> 24) % 13) - 6));
    }
    const sideways = i % 3 === 2;
    let img = sharp(big, { raw: { width: W, height: H, channels: 3 } });
    // Stored rotated 90° counter-clockwise with orientation 6: upright after EXIF, like a phone portrait.
    if (sideways) img = img.rotate(-90);
    const p = join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`);
    await img.jpeg({ quality: 92 }).withMetadata(sideways ? { orientation: 6 } : {}).toFile(p);
    paths.push(p);
  }
  return paths;
}
