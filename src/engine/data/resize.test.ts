// SPDX-License-Identifier: MIT
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { centerCropBox, resizeHwc } from './resize';

function ramp(n: number): Float32Array {
  // Deterministic, non-linear values so a wrong sample position shows.
  return Float32Array.from({ length: n }, (_, i) => (i * i * 7 + i * 13) % 256);
}

describe('resizeHwc', () => {
  it.each([
    [7, 5, 3, 4],
    [4, 4, 9, 6],
    [10, 3, 10, 7],
    [5, 8, 1, 1],
  ])('matches tf.image.resizeBilinear(halfPixelCenters) for %dx%d -> %dx%d', async (w, h, ow, oh) => {
    await tf.setBackend('cpu');
    const src = ramp(w * h * 3);
    const ours = resizeHwc(src, w, h, 3, ow, oh, 'bilinear');
    const ref = tf.tidy(() =>
      tf.image.resizeBilinear(tf.tensor3d(src, [h, w, 3]), [oh, ow], false, true).dataSync(),
    );
    expect(ours.length).toBe(ref.length);
    ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 3));
  });

  it('matches tf.image.resizeNearestNeighbor(halfPixelCenters)', async () => {
    await tf.setBackend('cpu');
    const src = ramp(9 * 6 * 3);
    const ours = resizeHwc(src, 9, 6, 3, 4, 5, 'nearest');
    const ref = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor3d(src, [6, 9, 3]), [5, 4], false, true).dataSync());
    expect(Array.from(ours)).toEqual(Array.from(ref));
  });

  it('gives tf.image.resizeBilinear\'s values exactly at the same size (the copy shortcut)', async () => {
    await tf.setBackend('cpu');
    const src = Uint8Array.from(ramp(6 * 4 * 3));
    const ours = resizeHwc(src, 6, 4, 3, 6, 4, 'bilinear');
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(src, [4, 6, 3], 'int32'), [4, 6], false, true).dataSync());
    expect(Array.from(ours)).toEqual(Array.from(ref));
    expect(Array.from(ours)).toEqual(Array.from(src));
  });

  it('reads only the crop box', () => {
    // 4×1 single channel [1,2,3,4]; box x=1,w=2 resized to 2 px gives [2,3].
    const out = resizeHwc([1, 2, 3, 4], 4, 1, 1, 2, 1, 'bilinear', { x: 1, y: 0, width: 2, height: 1 });
    expect(Array.from(out)).toEqual([2, 3]);
  });
});

describe('centerCropBox', () => {
  it('follows Keras integer arithmetic', () => {
    expect(centerCropBox(640, 480, 224, 224)).toEqual({ x: 80, y: 0, width: 480, height: 480 });
    expect(centerCropBox(480, 640, 224, 224)).toEqual({ x: 0, y: 80, width: 480, height: 480 });
    expect(centerCropBox(101, 50, 3, 2)).toEqual({ x: 13, y: 0, width: 75, height: 50 });
  });
});
