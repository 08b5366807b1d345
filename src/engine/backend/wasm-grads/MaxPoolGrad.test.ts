// SPDX-License-Identifier: MIT
// A max-pool gradient only routes dy values (and adds at most ceil(f/s)^2 of them), so wasm must
// match cpu to float32 rounding; 1e-6 of the scale allows that and nothing else. The inputs are
// shifted negative, or clamped at zero as after a ReLU, because the backend's own kernel failed
// exactly there (all-negative or all-zero windows).
import * as tf from '@tensorflow/tfjs';
import { MaxPoolGrad } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { diffHost, readyBackends, runKernelOn, seededData, type HostTensor } from './compare-backends';

type Shift = 'negative' | 'relu' | 'mixed';
const CASES: { x: number[]; f: number; s: number; pad: 'same' | 'valid'; shift: Shift }[] = [
  { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid', shift: 'mixed' },
  { x: [2, 7, 7, 3], f: 2, s: 2, pad: 'same', shift: 'negative' },
  { x: [2, 8, 8, 4], f: 3, s: 2, pad: 'same', shift: 'relu' },
  { x: [2, 9, 9, 4], f: 3, s: 2, pad: 'valid', shift: 'relu' },
  { x: [1, 7, 6, 5], f: 3, s: 1, pad: 'same', shift: 'negative' },
  { x: [2, 10, 10, 2], f: 3, s: 2, pad: 'valid', shift: 'mixed' },
];

function inputFor(shape: number[], shift: Shift): HostTensor {
  const data = seededData(shape, 21).map((v) => (shift === 'negative' ? v - 2 : shift === 'relu' ? Math.max(v, 0) : v));
  return { data, shape };
}

describe('MaxPoolGrad on wasm', () => {
  for (const c of CASES) {
    it(`matches cpu for x ${c.x} pool ${c.f} strides ${c.s} pad ${c.pad} with ${c.shift} inputs`, async () => {
      await readyBackends();
      const input = inputFor(c.x, c.shift);
      const output = await runKernelOn('cpu', 'MaxPool', { x: input }, { filterSize: c.f, strides: c.s, pad: c.pad });
      const dy = { data: seededData(output.shape, 22), shape: output.shape };
      const attrs = { filterSize: c.f, strides: c.s, pad: c.pad };
      const cpu = await runKernelOn('cpu', MaxPoolGrad, { dy, input, output }, attrs);
      const wasm = await runKernelOn('wasm', MaxPoolGrad, { dy, input, output }, attrs);
      const diff = diffHost(wasm, cpu);
      expect(diff.shape).toEqual(c.x);
      expect(diff.scale).toBeGreaterThan(0.5);
      expect(diff.maxAbs).toBeLessThanOrEqual(1e-6 * diff.scale);
    });
  }

  it('gives the gradient of tf.maxPool on wasm that it gives on cpu', async () => {
    await readyBackends();
    const grads: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(inputFor([2, 6, 6, 3], 'relu').data, [2, 6, 6, 3]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), tf.range(1, 28).reshape([1, 3, 3, 3]))))(x);
      grads.push((await g.data()) as Float32Array);
      tf.dispose([x, g]);
    }
    await tf.setBackend('cpu');
    expect(Array.from(grads[1])).toEqual(Array.from(grads[0]));
  });
});
