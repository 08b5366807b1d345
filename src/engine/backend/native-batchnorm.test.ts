// SPDX-License-Identifier: MIT
// The fused BatchNormalization training path (TensorFlow's FusedBatchNormV3 + its gradient) gives
// the same output, input/scale/offset gradients and moving averages as tfjs-layers' own training
// path, on the 'tensorflow' backend (skipped where the native engine is not installed).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, probeBackends } from './backend';
import { canFuseBatchNorm, fusedBatchNormTraining } from './native-batchnorm';

const native = probeBackends().find((b) => b.name === 'tensorflow')?.available ?? false;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.skipIf(!native)('fused BatchNormalization training on tensorflow', () => {
  beforeAll(async () => {
    expect(await initBackend('tensorflow')).toBe('tensorflow');
  });

  it('matches tfjs-layers in output, gradients and moving statistics', () => {
    const make = () => {
      const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
      bn.build([null, 5, 6, 4]);
      bn.setWeights([tf.tensor1d([1, 2, 0.5, -1]), tf.tensor1d([0.1, 0, -0.2, 0.3]), tf.tensor1d([0.5, 0, 1, -1]), tf.tensor1d([1, 2, 0.5, 3])]);
      return bn;
    };
    const x = tf.randomNormal([3, 5, 6, 4], 2, 3, 'float32', 7) as tf.Tensor4D;
    const w = tf.randomNormal([3, 5, 6, 4], 0, 1, 'float32', 8);
    const run = (fused: boolean) => {
      const bn = make();
      expect(canFuseBatchNorm(bn, x)).toBe(true);
      const xv = tf.variable(x);
      const vars = [xv, ...bn.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val)];
      const { value, grads } = tf.variableGrads(() => {
        const y = fused ? fusedBatchNormTraining(bn, xv as unknown as tf.Tensor4D) : (bn.apply(xv, { training: true }) as tf.Tensor);
        return tf.sum(tf.mul(y, w)) as tf.Scalar;
      }, vars);
      return { value: value.dataSync()[0], grads: vars.map((v) => grads[v.name]), weights: bn.getWeights() };
    };
    const ref = run(false);
    const got = run(true);
    expect(Math.abs(got.value - ref.value)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.value)));
    // x, gamma, beta
    expect(ref.grads).toHaveLength(3);
    ref.grads.forEach((g, i) => expect(maxAbsDiff(got.grads[i], g)).toBeLessThan(1e-3));
    // gamma, beta (untouched), moving mean and moving variance after one update.
    ref.weights.forEach((v, i) => expect(maxAbsDiff(got.weights[i], v)).toBeLessThan(1e-4));
  });
});
