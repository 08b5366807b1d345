// SPDX-License-Identifier: MIT
// Identity now shares its input's buffer on wasm: values must be equal, and either tensor must
// stay readable after the other is disposed (the reference count, not the first dispose, frees).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readyBackends } from './compare-backends';

describe('Identity on wasm', () => {
  it('shares the buffer and keeps it alive until the last tensor goes', async () => {
    await readyBackends();
    await tf.setBackend('wasm');
    try {
      const before = tf.memory().numBytes;
      const x = tf.tensor([1.5, -2, 3], [3]);
      const y = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
      expect(y.shape).toEqual([3]);
      expect(Array.from(await y.data())).toEqual([1.5, -2, 3]);
      x.dispose();
      expect(Array.from(await y.data())).toEqual([1.5, -2, 3]);
      const z = tf.engine().runKernel('Identity', { x: y }) as tf.Tensor;
      y.dispose();
      expect(Array.from(await z.data())).toEqual([1.5, -2, 3]);
      z.dispose();
      expect(tf.memory().numBytes).toBe(before);
      const ints = tf.tensor([4, 5], [2], 'int32');
      const copy = tf.engine().runKernel('Identity', { x: ints }) as tf.Tensor;
      expect(copy.dtype).toBe('int32');
      expect(Array.from(await copy.data())).toEqual([4, 5]);
      tf.dispose([ints, copy]);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
