// SPDX-License-Identifier: MIT
// Perceptual hashes for near-duplicate detection: a 64-bit difference hash (dHash) of a 9×8
// greyscale thumbnail, which survives resizing, re-encoding and small colour shifts, plus the
// thumbnail's mean colour and contrast. A nearly flat image (a solid colour with a small mark)
// has a hash of mostly zeros that would match every other flat image, so such images are marked
// `flat` and only ever matched by exact bytes.
import { decodeImage } from './decode';

export interface PerceptualHash {
  /** 16 lower-case hex digits: bit (y*8+x) is set when pixel (x, y) is brighter than (x+1, y). */
  dhash: string;
  /** Mean RGB of the thumbnail, 0..255. */
  mean: [number, number, number];
  /** Standard deviation of the greyscale thumbnail, 0..255. */
  spread: number;
}

/** Below this greyscale spread the gradient bits are noise: the image is compared by bytes only. */
export const FLAT_SPREAD = 12;
/** Hamming distance (of 64 bits) up to which two images count as near duplicates. */
export const NEAR_DISTANCE = 10;
/** Largest mean-colour difference (per channel) between near duplicates: dHash is blind to hue. */
export const NEAR_COLOUR = 40;

/** The dHash of 9×8 RGB pixels (HWC, uint8 or 0..255 floats). */
export function dhashOfThumb(rgb: ArrayLike<number>): PerceptualHash {
  const grey = new Float64Array(72);
  const mean: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 72; i++) {
    const r = rgb[i * 3];
    const g = rgb[i * 3 + 1];
    const b = rgb[i * 3 + 2];
    grey[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    mean[0] += r / 72;
    mean[1] += g / 72;
    mean[2] += b / 72;
  }
  let hex = '';
  for (let y = 0; y < 8; y++) {
    let byte = 0;
    for (let x = 0; x < 8; x++) if (grey[y * 9 + x] > grey[y * 9 + x + 1]) byte |= 1 << x;
    hex += byte.toString(16).padStart(2, '0');
  }
  const m = grey.reduce((a, v) => a + v, 0) / 72;
  const spread = Math.sqrt(grey.reduce((a, v) => a + (v - m) ** 2, 0) / 72);
  return { dhash: hex, mean: [Math.round(mean[0]), Math.round(mean[1]), Math.round(mean[2])], spread: Math.round(spread * 10) / 10 };
}

/**
 * Hashes one image file (EXIF orientation applied, alpha on white, like training sees it).
 * @throws AppError from decodeImage for a file that cannot be decoded.
 */
export async function perceptualHash(file: string): Promise<PerceptualHash> {
  const thumb = await decodeImage(file, { width: 9, height: 8, interpolation: 'lanczos3', output: 'uint8' });
  return dhashOfThumb(thumb.data);
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

/** True when two hashes describe the same picture: close gradients, close colour, neither flat. */
export function isNearDuplicate(a: PerceptualHash, b: PerceptualHash): boolean {
  if (a.spread < FLAT_SPREAD || b.spread < FLAT_SPREAD) return false;
  if (a.mean.some((v, i) => Math.abs(v - b.mean[i]) > NEAR_COLOUR)) return false;
  return hammingDistance(a.dhash, b.dhash) <= NEAR_DISTANCE;
}
