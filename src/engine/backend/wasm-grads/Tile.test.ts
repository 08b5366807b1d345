// SPDX-License-Identifier: MIT
// Tiling only copies, so wasm must equal cpu exactly, for every dtype the heap holds.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readyBackends } from './compare-backends';

const CASES: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
  { shape: [1, 1, 1, 5], reps: [2, 3, 4, 1], dtype: 'float32' },
  { shape: [1, 1, 1, 40], reps: [3, 2, 2, 1], dtype: 'float32' },
  { shape: [2, 3, 1, 1], reps: [1, 1, 4, 6], dtype: 'float32' },
  { shape: [2, 3], reps: [3, 2], dtype: 'int32' },
  { shape: [4], reps: [5], dtype: 'bool' },
  { shape: [2, 1, 3], reps: [1, 1, 1], dtype: 'float32' },
  { shape: [3, 2, 17], reps: [2, 3, 2], dtype: 'int32' },
  { shape: [2, 0, 3], reps: [2, 2, 2], dtype: 'float32' },
];

async function tileOn(backend: string, shape: number[], reps: number[], dtype: 'float32' | 'int32' | 'bool'): Promise<{ data: number[]; shape: number[] }> {
  await tf.setBackend(backend);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 3 === 0 : dtype === 'int32' ? i * 7 - 11 : i * 0.37 - 2)) as number[] | boolean[];
  const x = tf.tensor(values as number[], shape, dtype);
  const y = tf.tile(x, reps);
  const result = { data: Array.from(await y.data()), shape: y.shape };
  tf.dispose([x, y]);
  return result;
}

describe('Tile on wasm', () => {
  for (const c of CASES) {
    it(`equals cpu for ${c.dtype} ${c.shape} tiled ${c.reps}`, async () => {
      await readyBackends();
      const cpu = await tileOn('cpu', c.shape, c.reps, c.dtype);
      const wasm = await tileOn('wasm', c.shape, c.reps, c.dtype);
      await tf.setBackend('cpu');
      expect(wasm.shape).toEqual(cpu.shape);
      expect(wasm.data).toEqual(cpu.data);
    });
  }
});
