// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffAgainstManifest, loadManifest } from '../keras-reference';
import { specs } from './inception-v3';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('inception-v3 family', () => {
  it('matches the Keras InceptionV3 manifest layer for layer', () => {
    const spec = specs[0];
    const model = spec.build();
    try {
      expect(diffAgainstManifest(model, loadManifest('InceptionV3'))).toEqual([]);
      expect(model.outputs[0].shape).toEqual([null, 1000]);
      expect(model.getLayer(spec.featureLayer).outputShape).toEqual([null, 8, 8, 2048]);
    } finally {
      model.dispose();
    }
  });

  it('maps every layer to stem, mixed0..mixed10 or top', () => {
    const spec = specs[0];
    const m = loadManifest('InceptionV3');
    const blocks = new Set(m.layers.map((l) => spec.blockOf(l.name)));
    expect([...blocks]).toEqual(['stem', ...Array.from({ length: 11 }, (_, i) => `mixed${i}`), 'top']);
    expect(m.layers.filter((l) => spec.blockOf(l.name) === null).map((l) => l.name)).toEqual([]);
    expect(spec.blockOf('conv2d')).toBe('stem');
    expect(spec.blockOf('max_pooling2d_1')).toBe('stem');
    expect(spec.blockOf('conv2d_5')).toBe('mixed0');
    expect(spec.blockOf('average_pooling2d')).toBe('mixed0');
    expect(spec.blockOf('mixed9_1')).toBe('mixed10');
    expect(spec.blockOf('conv2d_93')).toBe('mixed10');
  });

  it('runs a finite forward pass at the 75x75 minimum', () => {
    const model = specs[0].build({ inputShape: [75, 75, 3], classes: 7 });
    const x = tf.randomUniform([2, 75, 75, 3], -1, 1);
    const y = model.predict(x) as tf.Tensor;
    try {
      expect(y.shape).toEqual([2, 7]);
      const v = y.dataSync();
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6]).toBeCloseTo(1, 4);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('builds a pooled notop backbone and rejects inputs below 75', () => {
    const model = specs[0].build({ includeTop: false, pooling: 'max', inputShape: [96, 128, 3] });
    expect(model.outputs[0].shape).toEqual([null, 2048]);
    expect(model.layers.at(-1)?.name).toBe('global_max_pooling2d');
    model.dispose();
    expect(() => specs[0].build({ inputShape: [74, 299, 3] })).toThrow(/at least 75x75.*\[74,299,3\]/);
  });
});
