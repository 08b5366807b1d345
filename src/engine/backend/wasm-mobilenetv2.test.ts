// SPDX-License-Identifier: MIT
// A full fine-tune (no frozen layers) of the zoo's MobileNetV2 runs on wasm: every gradient it
// needs exists there, the loss is finite and falls on a fixed batch, and no tensor leaks per step.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createModel } from '../zoo/registry';
import { readyBackends, seededData } from './wasm-grads/compare-backends';

const SIZE = 64;
const BATCH = 2;
const STEPS = 4;

describe('MobileNetV2 fine-tuning on wasm', () => {
  it('takes finite, falling steps with every layer trainable', async () => {
    await readyBackends();
    await tf.setBackend('wasm');
    try {
      const base = createModel('mobilenetv2', { inputShape: [SIZE, SIZE, 3], includeTop: false, pooling: 'avg' });
      const head = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(base.outputs[0]) as tf.SymbolicTensor;
      const model = tf.model({ inputs: base.inputs, outputs: head });
      // Only the BatchNorm moving statistics stay out of the gradient (InputLayer has no weights).
      expect(model.layers.filter((l) => l.weights.length > 0 && !l.trainable).map((l) => l.name)).toEqual([]);
      expect(model.nonTrainableWeights.every((w) => /moving_(mean|variance)/.test(w.name))).toBe(true);
      expect(model.trainableWeights.length).toBeGreaterThan(150);
      const x = tf.tensor(seededData([BATCH, SIZE, SIZE, 3], 31), [BATCH, SIZE, SIZE, 3]);
      const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
      const optimizer = tf.train.adam(1e-3);
      const losses: number[] = [];
      const tensorCounts: number[] = [];
      for (let i = 0; i < STEPS; i++) {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
        losses.push((await loss!.data())[0]);
        loss!.dispose();
        tensorCounts.push(tf.memory().numTensors);
      }
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[STEPS - 1]).toBeLessThan(losses[0]);
      // Adam creates its moment slots on the first step; after that the count must not grow.
      expect(tensorCounts[STEPS - 1]).toBe(tensorCounts[1]);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
