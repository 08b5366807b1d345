// SPDX-License-Identifier: MIT
// Training-time augmentation on HWC RGB pixels (0..255), with a seeded RNG so a given seed always
// gives the same images. Semantics follow Keras's preprocessing layers (RandomFlip, RandomRotation
// with reflect fill, RandomBrightness, RandomContrast) and torchvision's RandomResizedCrop.
import sharp from 'sharp';
import { AppError } from '../../shared/errors';
import { toUint8 } from './decode';
import { resizeHwc, type CropBox } from './resize';
import { createRng, type Rng } from './rng';
import type { RgbImage } from './types';

export interface AugmentConfig {
  /** Mirror left-right with probability 0.5. */
  flipHorizontal?: boolean;
  /** Mirror top-bottom with probability 0.5. */
  flipVertical?: boolean;
  /** Crop a random area (fraction `scale` of the image, aspect `ratio`) and resize it back. */
  randomResizedCrop?: false | { scale?: [number, number]; ratio?: [number, number] };
  /** Rotate by a uniform angle in [−rotation, rotation] degrees; positive is counter-clockwise. */
  rotation?: number;
  /** Add a uniform delta in [−b, b] × 255 (Keras RandomBrightness factor on value_range [0, 255]). */
  brightness?: number;
  /** Scale distance from each channel's mean by a factor in [1 − c, 1 + c] (Keras RandomContrast). */
  contrast?: number;
  /** How rotation fills uncovered corners (default `reflect`, as Keras). */
  fill?: 'reflect' | 'constant' | 'nearest';
}

/** A mild default for photos: flips, ±10°, 80–100% crops, ±10% brightness and contrast. */
export const DEFAULT_AUGMENT: AugmentConfig = {
  flipHorizontal: true,
  randomResizedCrop: { scale: [0.8, 1], ratio: [3 / 4, 4 / 3] },
  rotation: 10,
  brightness: 0.1,
  contrast: 0.1,
};

function check(img: RgbImage): void {
  if (img.data.length !== img.width * img.height * 3) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `Expected ${img.width}×${img.height}×3 = ${img.width * img.height * 3} values. Received: ${img.data.length}.`,
    );
  }
}

/** Mirrors left-right. */
export function flipHorizontal(img: RgbImage): RgbImage {
  const { width: w, height: h } = img;
  const { data } = img;
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const row = y * w * 3;
    for (let x = 0, d = row, s = row + (w - 1) * 3; x < w; x++, d += 3, s -= 3) {
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { data: out, width: w, height: h };
}

/** Mirrors top-bottom. */
export function flipVertical(img: RgbImage): RgbImage {
  const { width: w, height: h } = img;
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(img.data.subarray((h - 1 - y) * w * 3, (h - y) * w * 3), y * w * 3);
  return { data: out, width: w, height: h };
}

/** Adds `delta` (in 0..255 units) and clips to [0, 255]. */
export function adjustBrightness(img: RgbImage, delta: number): RgbImage {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, img.data[i] + delta));
  return { data: out, width: img.width, height: img.height };
}

/** (x − mean_c) × factor + mean_c per channel, clipped to [0, 255] (tf.image.adjust_contrast). */
export function adjustContrast(img: RgbImage, factor: number): RgbImage {
  const { data } = img;
  const n = img.width * img.height;
  // Per-channel sums in pixel order (the same additions, in the same order, as a strided loop).
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < n * 3; i += 3) {
    r += data[i];
    g += data[i + 1];
    b += data[i + 2];
  }
  const mean = [r / n, g / n, b / n];
  const out = new Float32Array(n * 3);
  for (let c = 0; c < 3; c++) {
    const m = mean[c];
    for (let i = c; i < n * 3; i += 3) out[i] = Math.min(255, Math.max(0, (data[i] - m) * factor + m));
  }
  return { data: out, width: img.width, height: img.height };
}

function reflect(i: number, n: number): number {
  // Keras/scipy 'reflect': (d c b a | a b c d | d c b a).
  const period = 2 * n;
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return m;
}

/** Rotates about the centre by `degrees` (counter-clockwise), bilinear sampling. */
export function rotate(img: RgbImage, degrees: number, fill: AugmentConfig['fill'] = 'reflect'): RgbImage {
  const { width: w, height: h, data } = img;
  const out = new Float32Array(w * h * 3);
  const rad = (degrees * Math.PI) / 180;
  // Round away float noise so 90° turns land exactly on pixel centres.
  const cos = Math.round(Math.cos(rad) * 1e12) / 1e12;
  const sin = Math.round(Math.sin(rad) * 1e12) / 1e12;
  const cx = w / 2;
  const cy = h / 2;
  const sample = (x: number, y: number, c: number): number => {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      if (fill === 'constant') return 0;
      if (fill === 'nearest') {
        x = Math.min(w - 1, Math.max(0, x));
        y = Math.min(h - 1, Math.max(0, y));
      } else {
        x = reflect(x, w);
        y = reflect(y, h);
      }
    }
    return data[(y * w + x) * 3 + c];
  };
  const stride = w * 3;
  for (let y = 0, o = 0; y < h; y++) {
    const dy = y + 0.5 - cy;
    for (let x = 0; x < w; x++, o += 3) {
      // Inverse map: a counter-clockwise turn on screen (y down) reads the source clockwise.
      const dx = x + 0.5 - cx;
      const sx = cos * dx - sin * dy + cx - 0.5;
      const sy = sin * dx + cos * dy + cy - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
        // All four neighbours inside: read them directly (most pixels of a small turn); same
        // arithmetic as the edge path below, so the values are identical.
        const i00 = y0 * stride + x0 * 3;
        const i10 = i00 + stride;
        for (let c = 0; c < 3; c++) {
          const top = data[i00 + c] * (1 - fx) + data[i00 + 3 + c] * fx;
          const bot = data[i10 + c] * (1 - fx) + data[i10 + 3 + c] * fx;
          out[o + c] = top * (1 - fy) + bot * fy;
        }
        continue;
      }
      for (let c = 0; c < 3; c++) {
        const top = sample(x0, y0, c) * (1 - fx) + sample(x0 + 1, y0, c) * fx;
        const bot = sample(x0, y0 + 1, c) * (1 - fx) + sample(x0 + 1, y0 + 1, c) * fx;
        out[o + c] = top * (1 - fy) + bot * fy;
      }
    }
  }
  return { data: out, width: w, height: h };
}

/** torchvision's RandomResizedCrop box: 10 tries at a random area and log-uniform ratio, then a centre crop. */
export function randomCropBox(
  width: number,
  height: number,
  scale: [number, number],
  ratio: [number, number],
  rng: Rng,
): CropBox {
  const area = width * height;
  for (let i = 0; i < 10; i++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const r = Math.exp(rng.uniform(Math.log(ratio[0]), Math.log(ratio[1])));
    const w = Math.round(Math.sqrt(target * r));
    const h = Math.round(Math.sqrt(target / r));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { x: rng.int(width - w + 1), y: rng.int(height - h + 1), width: w, height: h };
    }
  }
  const r = width / height;
  let w = width;
  let h = height;
  if (r < ratio[0]) h = Math.round(w / ratio[0]);
  else if (r > ratio[1]) w = Math.round(h * ratio[1]);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/**
 * Applies the configured random transforms in a fixed order (crop, flips, rotation, brightness,
 * contrast). The same `seed` and input always give the same output.
 */
export function augment(img: RgbImage, config: AugmentConfig, seed: number | Rng): RgbImage {
  check(img);
  const rng = typeof seed === 'number' ? createRng(seed) : seed;
  let cur: RgbImage = img;
  if (config.randomResizedCrop) {
    const box = randomCropBox(
      img.width,
      img.height,
      config.randomResizedCrop.scale ?? [0.08, 1],
      config.randomResizedCrop.ratio ?? [3 / 4, 4 / 3],
      rng,
    );
    cur = { data: resizeHwc(cur.data, cur.width, cur.height, 3, cur.width, cur.height, 'bilinear', box), width: cur.width, height: cur.height };
  }
  if (config.flipHorizontal && rng.chance(0.5)) cur = flipHorizontal(cur);
  if (config.flipVertical && rng.chance(0.5)) cur = flipVertical(cur);
  if (config.rotation) cur = rotate(cur, rng.uniform(-config.rotation, config.rotation), config.fill);
  if (config.brightness) cur = adjustBrightness(cur, rng.uniform(-config.brightness, config.brightness) * 255);
  if (config.contrast) cur = adjustContrast(cur, rng.uniform(1 - config.contrast, 1 + config.contrast));
  return cur.data instanceof Float32Array ? cur : { ...cur, data: Float32Array.from(cur.data) };
}

/**
 * `n` augmented variants of `img` as PNG buffers for the UI, deterministic for `seed`.
 */
export async function augmentPreview(
  img: RgbImage,
  n: number,
  seed: number,
  config: AugmentConfig = DEFAULT_AUGMENT,
): Promise<Buffer[]> {
  check(img);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new AppError('INVALID_ARGUMENT', `Expected a preview count in 1..64. Received: ${n}.`);
  }
  const rng = createRng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const a = augment(img, config, rng);
    out.push(await sharp(toUint8(a.data), { raw: { width: a.width, height: a.height, channels: 3 } }).png().toBuffer());
  }
  return out;
}
