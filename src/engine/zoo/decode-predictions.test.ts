// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { kerasLabel } from '../../../scripts/gen-imagenet-classes';
import { decodePredictions, imagenetClasses } from './decode-predictions';

describe('imagenetClasses', () => {
  it('holds the 1000 classes in Keras index order with Keras labels', () => {
    const c = imagenetClasses();
    expect(c).toHaveLength(1000);
    // Spot checks against Keras's imagenet_class_index.json.
    expect(c[0][1]).toBe('tench');
    expect(c[2][1]).toBe('great_white_shark');
    expect(c[134][1]).toBe('crane');
    expect(c[517][1]).toBe('crane');
    expect(c[281][1]).toBe('tabby');
    expect(c[999][1]).toBe('toilet_tissue');
    expect(kerasLabel('great white shark, white shark, man-eater')).toBe('great_white_shark');
  });
});

describe('decodePredictions', () => {
  const onehotish = (hot: Record<number, number>) => Array.from({ length: 1000 }, (_, i) => hot[i] ?? 0);

  it('returns the top k per sample, highest first, from arrays and tensors alike', () => {
    const rows = [onehotish({ 281: 0.6, 282: 0.3, 0: 0.1 }), onehotish({ 999: 0.9, 2: 0.05, 1: 0.05 })];
    const fromArray = decodePredictions(rows, 3);
    expect(fromArray[0].map((p) => [p.label, p.index, p.score])).toEqual([
      ['tabby', 281, 0.6],
      ['tiger_cat', 282, 0.3],
      ['tench', 0, 0.1],
    ]);
    // Equal scores keep the lower index first.
    expect(fromArray[1].map((p) => p.index)).toEqual([999, 1, 2]);
    const fromTensor = decodePredictions(tf.tensor2d(rows), 2);
    expect(fromTensor[0].map((p) => p.label)).toEqual(['tabby', 'tiger_cat']);
    expect(fromTensor[0][0].score).toBeCloseTo(0.6, 6);
    expect(decodePredictions(rows)[0]).toHaveLength(5);
  });

  it('rejects predictions that are not 1000 wide, echoing the shape', () => {
    expect(() => decodePredictions([[0.5, 0.5]])).toThrowError(/\[samples, 1000\].*\[1,2\]/);
    expect(() => decodePredictions(tf.zeros([2, 10]) as tf.Tensor2D)).toThrowError(/\[2,10\]/);
    expect(() => decodePredictions([onehotish({})], 0)).toThrowError(/top must be/);
  });
});
