// SPDX-License-Identifier: MIT
// Perceptual hashes for near-duplicate detection: a 64-bit difference hash (dHash) of a 9×8
// greyscale thumbnail, which survives resizing, re-encoding and small colour shifts, plus the
// thumbnail's mean colour, its contrast and an 18×16 greyscale thumbnail. The hash alone is not
// trusted: small grey pictures on a plain background (Fashion-MNIST's 28×28 clothes on black)
// share dHashes across different items, so a near match must also agree pixel by pixel on the
// thumbnail. A nearly flat image (a solid colour with a small mark) is marked by a low spread
// and only ever matched by exact bytes.
import { decodeImage } from './decode';

export interface PerceptualHash {
  /** 16 lower-case hex digits: bit (y*8+x) is set when pixel (x, y) is brighter than (x+1, y). */
  dhash: string;
  /** Mean RGB of the thumbnail, 0..255. */
  mean: [number, number, number];
  /** Standard deviation of the greyscale thumbnail, 0..255. */
  spread: number;
  /** THUMB_W×THUMB_H greyscale bytes as hex (row-major). */
  thumb: string;
}

export const THUMB_W = 18;
export const THUMB_H = 16;
/** Below this greyscale spread the gradient bits are noise: the image is compared by bytes only. */
export const FLAT_SPREAD = 12;
/** Hamming distance (of 64 bits) up to which two hashes may belong to near duplicates. */
export const NEAR_DISTANCE = 6;
/** Largest mean-colour difference (per channel) between near duplicates: dHash is blind to hue. */
export const NEAR_COLOUR = 24;
/**
 * Largest mean absolute difference of the normalised thumbnails (each scaled to zero mean and
 * unit spread), so a plain background shared by two pictures does not make them look alike.
 */
export const NEAR_PIXELS = 0.1;
/**
 * Images smaller than this on their short side are low-detail: their 18×16 thumbnail is nearly
 * the whole picture, and different Fashion-MNIST items (28×28) come as close as 0.055 on it
 * while a re-encoded copy of a photo sits at 0.02–0.04. They are matched by exact bytes only.
 */
export const MIN_NEAR_SIDE = 32;

const grey = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * The hash of an 18×16 RGB thumbnail (HWC, uint8 or 0..255 floats): the dHash from its 2×2
 * averages (9×8), the mean colour and spread from all of it.
 */
export function hashOfThumb(rgb: ArrayLike<number>): PerceptualHash {
  const n = THUMB_W * THUMB_H;
  const g = new Float64Array(n);
  const mean: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    g[i] = grey(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
    for (let c = 0; c < 3; c++) mean[c] += rgb[i * 3 + c] / n;
  }
  const small = new Float64Array(72);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 9; x++) {
      const at = (dy: number, dx: number) => g[(2 * y + dy) * THUMB_W + 2 * x + dx];
      small[y * 9 + x] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
    }
  }
  let hex = '';
  for (let y = 0; y < 8; y++) {
    let byte = 0;
    for (let x = 0; x < 8; x++) if (small[y * 9 + x] > small[y * 9 + x + 1]) byte |= 1 << x;
    hex += byte.toString(16).padStart(2, '0');
  }
  const m = g.reduce((a, v) => a + v, 0) / n;
  const spread = Math.sqrt(g.reduce((a, v) => a + (v - m) ** 2, 0) / n);
  let thumb = '';
  for (const v of g) thumb += Math.min(255, Math.max(0, Math.round(v))).toString(16).padStart(2, '0');
  return { dhash: hex, mean: [Math.round(mean[0]), Math.round(mean[1]), Math.round(mean[2])], spread: Math.round(spread * 10) / 10, thumb };
}

/**
 * Hashes one image file (EXIF orientation applied, alpha on white, like training sees it).
 * @throws AppError from decodeImage for a file that cannot be decoded.
 */
export async function perceptualHash(file: string): Promise<PerceptualHash> {
  const t = await decodeImage(file, { width: THUMB_W, height: THUMB_H, interpolation: 'lanczos3', output: 'uint8' });
  return hashOfThumb(t.data);
}

const POPCOUNT8 = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

/** Hamming distance between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 2) d += POPCOUNT8[parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16)];
  return d;
}

function normalised(thumb: string): Float64Array {
  const n = thumb.length / 2;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = parseInt(thumb.slice(2 * i, 2 * i + 2), 16);
  const m = v.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / n) || 1;
  for (let i = 0; i < n; i++) v[i] = (v[i] - m) / sd;
  return v;
}

/** Mean absolute difference of two thumbnails after normalising each (0 = same picture). */
export function thumbDistance(a: string, b: string): number {
  const x = normalised(a);
  const y = normalised(b);
  if (x.length !== y.length || !x.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < x.length; i++) d += Math.abs(x[i] - y[i]);
  return d / x.length;
}

/**
 * True when two hashes describe the same picture: neither flat, close gradients, close colour,
 * and the thumbnails agree pixel by pixel (the hash alone matches look-alikes).
 */
export function isNearDuplicate(a: PerceptualHash, b: PerceptualHash): boolean {
  if (a.spread < FLAT_SPREAD || b.spread < FLAT_SPREAD) return false;
  if (a.mean.some((v, i) => Math.abs(v - b.mean[i]) > NEAR_COLOUR)) return false;
  if (hammingDistance(a.dhash, b.dhash) > NEAR_DISTANCE) return false;
  return thumbDistance(a.thumb, b.thumb) <= NEAR_PIXELS;
}
