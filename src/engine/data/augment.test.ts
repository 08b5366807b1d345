// SPDX-License-Identifier: MIT
import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import {
  adjustBrightness,
  adjustContrast,
  augment,
  augmentPreview,
  flipHorizontal,
  flipVertical,
  randomCropBox,
  rotate,
} from './augment';
import { createRng } from './rng';
import type { RgbImage } from './types';

/** 3×2 image whose red channel is the pixel's index 0..5 (row-major), green 10×, blue 0. */
function tiny(w = 3, h = 2): RgbImage {
  const data = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([i, i * 10, 0], i * 3);
  return { data, width: w, height: h };
}
const reds = (img: RgbImage) => Array.from({ length: img.width * img.height }, (_, i) => img.data[i * 3]);

describe('geometric ops', () => {
  it('flips horizontally and vertically to exact pixel positions', () => {
    // 0 1 2      2 1 0          3 4 5
    // 3 4 5  →h  5 4 3   →v     0 1 2
    expect(reds(flipHorizontal(tiny()))).toEqual([2, 1, 0, 5, 4, 3]);
    expect(reds(flipVertical(tiny()))).toEqual([3, 4, 5, 0, 1, 2]);
    expect(Array.from(flipHorizontal(tiny()).data.subarray(0, 3))).toEqual([2, 20, 0]);
  });

  it('rotates 90° counter-clockwise exactly, and 180° equals both flips', () => {
    // 0 1 2        2 5 8
    // 3 4 5   →    1 4 7
    // 6 7 8        0 3 6
    const sq = tiny(3, 3);
    reds(rotate(sq, 90)).forEach((v, i) => expect(v).toBeCloseTo([2, 5, 8, 1, 4, 7, 0, 3, 6][i], 6));
    reds(rotate(sq, -90)).forEach((v, i) => expect(v).toBeCloseTo([6, 3, 0, 7, 4, 1, 8, 5, 2][i], 6));
    const both = reds(flipVertical(flipHorizontal(sq)));
    reds(rotate(sq, 180)).forEach((v, i) => expect(v).toBeCloseTo(both[i], 6));
    expect(reds(rotate(sq, 0))).toEqual(reds(sq));
  });

  it('fills uncovered corners by reflection, constant zero or nearest edge', () => {
    // 4×2 turned 90° leaves columns 0 and 3 outside the source.
    const img = tiny(4, 2);
    expect(reds(rotate(img, 90, 'constant')).filter((_, i) => i % 4 === 0)).toEqual([0, 0]);
    const reflected = reds(rotate(img, 90, 'reflect'));
    const nearest = reds(rotate(img, 90, 'nearest'));
    expect(reflected.every((v) => v >= 0 && v <= 7)).toBe(true);
    expect(nearest.every((v) => v >= 0 && v <= 7)).toBe(true);
    expect(reflected).not.toEqual(reds(rotate(img, 90, 'constant')));
  });

  it('keeps random crops inside the image and within the requested area', () => {
    const rng = createRng(5);
    for (let i = 0; i < 200; i++) {
      const b = randomCropBox(64, 48, [0.3, 0.6], [0.75, 1.333], rng);
      expect(b.x + b.width).toBeLessThanOrEqual(64);
      expect(b.y + b.height).toBeLessThanOrEqual(48);
      const frac = (b.width * b.height) / (64 * 48);
      expect(frac).toBeGreaterThan(0.25);
      expect(frac).toBeLessThan(0.66);
    }
  });
});

describe('photometric ops', () => {
  it('adds brightness and clips at 0 and 255', () => {
    const img: RgbImage = { data: new Float32Array([0, 100, 250]), width: 1, height: 1 };
    expect(Array.from(adjustBrightness(img, 10).data)).toEqual([10, 110, 255]);
    expect(Array.from(adjustBrightness(img, -50).data)).toEqual([0, 50, 200]);
  });

  it('scales contrast about each channel’s mean', () => {
    // Red values 0,100 (mean 50); factor 2 → -50→0 (clipped), 150.
    const img: RgbImage = { data: new Float32Array([0, 10, 7, 100, 30, 7]), width: 2, height: 1 };
    expect(Array.from(adjustContrast(img, 2).data)).toEqual([0, 0, 7, 150, 40, 7]);
    expect(Array.from(adjustContrast(img, 0.5).data)).toEqual([25, 15, 7, 75, 25, 7]);
  });
});

describe('augment', () => {
  const config = {
    flipHorizontal: true,
    flipVertical: true,
    rotation: 30,
    brightness: 0.2,
    contrast: 0.2,
    randomResizedCrop: { scale: [0.5, 1] as [number, number] },
  };

  it('is deterministic for a seed and varies across seeds', () => {
    const img = tiny(16, 12);
    const a = augment(img, config, 11);
    expect(Array.from(augment(img, config, 11).data)).toEqual(Array.from(a.data));
    expect(Array.from(augment(img, config, 12).data)).not.toEqual(Array.from(a.data));
    expect([a.width, a.height, a.data.length]).toEqual([16, 12, 16 * 12 * 3]);
    expect(a.data.every((v) => v >= 0 && v <= 255)).toBe(true);
  });

  it('flips about half the time', () => {
    const img = tiny();
    const rng = createRng(3);
    let flipped = 0;
    for (let i = 0; i < 400; i++) if (augment(img, { flipHorizontal: true }, rng).data[0] === 2) flipped++;
    expect(flipped).toBeGreaterThan(160);
    expect(flipped).toBeLessThan(240);
  });

  it('renders n PNG previews of the right size, the same for the same seed', async () => {
    const img = tiny(20, 10);
    const a = await augmentPreview(img, 3, 99);
    const b = await augmentPreview(img, 3, 99);
    expect(a).toHaveLength(3);
    expect(a.map((x) => x.toString('base64'))).toEqual(b.map((x) => x.toString('base64')));
    const meta = await sharp(a[0]).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 20, 10]);
    await expect(augmentPreview(img, 0, 1)).rejects.toThrow(/Received: 0/);
  });
});
