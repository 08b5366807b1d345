// SPDX-License-Identifier: MIT
// The tensorflow backend's replacement kernels give what the kernels they replace give: Step, and
// ReLU(max_value=6) forward and backward (skipped where the native engine is not installed).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, probeBackends } from './backend';
import { canFuseRelu6, fusedRelu6 } from './native-kernels';

const native = probeBackends().find((b) => b.name === 'tensorflow')?.available ?? false;

describe.skipIf(!native)('native kernels on tensorflow', () => {
  beforeAll(async () => {
    expect(await initBackend('tensorflow')).toBe('tensorflow');
  });

  it('Step: 1 above zero, 0 or alpha at and below, NaN kept', () => {
    const x = tf.tensor1d([-2, 0, 0.5, Number.NaN, 3]);
    expect(Array.from(tf.step(x).dataSync())).toEqual([0, 0, 1, Number.NaN, 1]);
    expect(Array.from(tf.step(x, 0.25).dataSync())).toEqual([0.25, 0.25, 1, Number.NaN, 1]);
  });

  it('clipByValue: relu6 bounds and any others, gradient unchanged', () => {
    const x = tf.tensor1d([-3, 0, 2.5, 6, 9]);
    expect(Array.from(tf.clipByValue(x, 0, 6).dataSync())).toEqual([0, 0, 2.5, 6, 6]);
    expect(Array.from(tf.clipByValue(x, -1, 3).dataSync())).toEqual([-1, 0, 2.5, 3, 3]);
    expect(Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.clipByValue(v, -1, 3)))(x).dataSync())).toEqual([0, 1, 1, 0, 0]);
  });

  it('ReLU(max_value=6) matches tfjs-layers in value and gradient', () => {
    const layer = tf.layers.reLU({ maxValue: 6 });
    const x = tf.tensor1d([-3, -0.5, 0.25, 2, 5.5, 7, 12]);
    expect(canFuseRelu6(layer, x)).toBe(true);
    expect(canFuseRelu6(tf.layers.reLU({ maxValue: 5 }), x)).toBe(false);
    const w = tf.tensor1d([1, 2, 3, 4, 5, 6, 7]);
    const ref = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, w)))(x);
    const got = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fusedRelu6(v), w)))(x);
    expect(Array.from(fusedRelu6(x).dataSync())).toEqual([0, 0, 0.25, 2, 5.5, 6, 6]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(Array.from(got.dataSync())).toEqual([0, 0, 3, 4, 5, 0, 0]);
  });
});
