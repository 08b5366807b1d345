// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormTraining, needsOwnBatchNorm } from './bn-training';
import { forward } from './forward';

describe('BatchNormalization without scale in training mode', () => {
  it('matches the normal layer with gamma = 1 and updates the moving statistics', () => {
    const x = tf.randomNormal([4, 3, 3, 2], 2, 3, 'float32', 7);
    const plain = tf.layers.batchNormalization({ scale: false, momentum: 0.9, epsilon: 1e-3 });
    const full = tf.layers.batchNormalization({ scale: true, momentum: 0.9, epsilon: 1e-3 });
    plain.build([null, 3, 3, 2]);
    full.build([null, 3, 3, 2]);
    expect(needsOwnBatchNorm(plain)).toBe(true);
    expect(needsOwnBatchNorm(full)).toBe(false);
    const ours = batchNormTraining(plain, x);
    const theirs = full.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-5);
    const [mOurs, vOurs] = plain.getWeights().slice(-2).map((w) => w.dataSync());
    const [mTheirs, vTheirs] = full.getWeights().slice(-2).map((w) => w.dataSync());
    for (let i = 0; i < 2; i++) {
      expect(mOurs[i]).toBeCloseTo(mTheirs[i], 5);
      expect(vOurs[i]).toBeCloseTo(vTheirs[i], 4);
      expect(mOurs[i]).not.toBe(0);
    }
  });

  it('lets a model with scale=false BN take a training step (InceptionV3-style)', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ scale: false }).apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(bn) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(forward(model, x, { training: true })[0])) as tf.Scalar);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).length).toBeGreaterThan(0);
  });
});
