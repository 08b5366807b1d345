// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { PREPROCESS_MODES, preprocessDescription, preprocessInput, preprocessPixels } from './preprocess';
import type { PreprocessMode } from './types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two RGB pixels: pure-ish red (255, 0, 127.5) and (10, 200, 51).
const PIXELS = [255, 0, 127.5, 10, 200, 51];

// Worked by hand from Keras imagenet_utils._preprocess_numpy_input.
const EXPECTED: Record<PreprocessMode, number[]> = {
  // BGR, minus [103.939, 116.779, 123.68]
  caffe: [127.5 - 103.939, 0 - 116.779, 255 - 123.68, 51 - 103.939, 200 - 116.779, 10 - 123.68],
  // x / 127.5 - 1
  tf: [1, -1, 0, 10 / 127.5 - 1, 200 / 127.5 - 1, 51 / 127.5 - 1],
  // (x/255 - mean) / std
  torch: [
    (1 - 0.485) / 0.229,
    (0 - 0.456) / 0.224,
    (0.5 - 0.406) / 0.225,
    (10 / 255 - 0.485) / 0.229,
    (200 / 255 - 0.456) / 0.224,
    (0.2 - 0.406) / 0.225,
  ],
  none: PIXELS,
  unit: [1, 0, 0.5, 10 / 255, 200 / 255, 0.2],
};

describe('preprocessInput (tensors)', () => {
  for (const mode of PREPROCESS_MODES) {
    it(`${mode} matches the hand-computed values`, () => {
      const x = tf.tensor4d(PIXELS, [1, 1, 2, 3]);
      const y = preprocessInput(x, mode);
      expect(y.shape).toEqual([1, 1, 2, 3]);
      expect(y.dtype).toBe('float32');
      const got = Array.from(y.dataSync());
      EXPECTED[mode].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
    });
  }

  it('spot values: caffe red pixel, torch mid-grey', () => {
    expect(Array.from(preprocessInput(tf.tensor3d([255, 0, 0], [1, 1, 3]), 'caffe').dataSync())).toEqual(
      [-103.939, -116.779, 131.32].map((v) => Math.fround(v)),
    );
    const grey = preprocessInput(tf.tensor3d([127.5, 127.5, 127.5], [1, 1, 3]), 'torch').dataSync();
    expect(grey[0]).toBeCloseTo(0.0655, 4); // (0.5 - 0.485) / 0.229
    expect(grey[1]).toBeCloseTo(0.1964, 4); // (0.5 - 0.456) / 0.224
    expect(grey[2]).toBeCloseTo(0.4178, 4); // (0.5 - 0.406) / 0.225
  });

  it('takes one-channel input for the scaling modes and refuses it for per-channel ones', () => {
    expect(Array.from(preprocessInput(tf.tensor3d([0, 255], [1, 2, 1]), 'tf').dataSync())).toEqual([-1, 1]);
    expect(() => preprocessInput(tf.tensor3d([0, 255], [1, 2, 1]), 'torch')).toThrowError(/3 channels.*\[1, 2, 1\]/);
    expect(() => preprocessInput(tf.zeros([1, 1, 3]), 'bogus' as PreprocessMode)).toThrowError(AppError);
  });
});

describe('preprocessPixels (plain arrays)', () => {
  for (const mode of PREPROCESS_MODES) {
    it(`${mode} matches preprocessInput and the hand-computed values`, () => {
      const got = preprocessPixels(new Float32Array(PIXELS), mode);
      EXPECTED[mode].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
      const viaTensor = preprocessInput(tf.tensor3d(PIXELS, [1, 2, 3]), mode).dataSync();
      got.forEach((v, i) => expect(v).toBeCloseTo(viaTensor[i], 5));
    });
  }

  it('accepts Uint8 pixels and rejects a length that is not whole pixels', () => {
    expect(Array.from(preprocessPixels(Uint8Array.from([0, 255, 51]), 'unit'))).toEqual([0, 1, Math.fround(0.2)]);
    expect(() => preprocessPixels(new Float32Array(4), 'tf')).toThrowError(/not a multiple of channels=3/);
  });

  it('writes into a given slice exactly what it would return, and refuses a slice of another length', () => {
    for (const mode of PREPROCESS_MODES) {
      const batch = new Float32Array(PIXELS.length * 2).fill(-7);
      const slice = batch.subarray(PIXELS.length);
      expect(preprocessPixels(new Float32Array(PIXELS), mode, 3, slice)).toBe(slice);
      expect(Array.from(slice)).toEqual(Array.from(preprocessPixels(new Float32Array(PIXELS), mode)));
      expect(Array.from(batch.subarray(0, PIXELS.length)).every((v) => v === -7)).toBe(true);
    }
    expect(() => preprocessPixels(new Float32Array(6), 'tf', 3, new Float32Array(3))).toThrowError(/holds 3 values for 6 pixel values/);
  });
});

describe('preprocessDescription', () => {
  it('describes each mode so that applying it reproduces preprocessPixels', () => {
    for (const mode of PREPROCESS_MODES) {
      const d = preprocessDescription(mode);
      const rgb = PIXELS.slice(0, 3);
      const ordered = d.colorOrder === 'BGR' ? [...rgb].reverse() : rgb;
      const applied = ordered.map((v, c) => (v * d.scale + d.offset - d.mean[c]) / d.std[c]);
      applied.forEach((v, i) => expect(v).toBeCloseTo(EXPECTED[mode][i], 4));
    }
    expect(preprocessDescription('caffe')).toMatchObject({ colorOrder: 'BGR', scale: 1, offset: 0, mean: [103.939, 116.779, 123.68] });
    expect(preprocessDescription('torch')).toMatchObject({ colorOrder: 'RGB', std: [0.229, 0.224, 0.225] });
  });
});
