// SPDX-License-Identifier: MIT
// The ladder on this machine: TS_BACKEND is checked, and where tfjs-node is installed (CI builds it
// with npm run tensorflow:local) 'auto' picks the native engine, whose libtensorflow is named.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { backendOverride, initBackend, probeBackends } from './backend';

const saved = process.env.TS_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.TS_BACKEND;
  else process.env.TS_BACKEND = saved;
});

describe('backend ladder', () => {
  it('rejects a TS_BACKEND that names no backend, and reads a valid one', () => {
    process.env.TS_BACKEND = 'tensorflw';
    expect(() => backendOverride()).toThrow(/TS_BACKEND=tensorflw is not a backend \(use auto, tensorflow-gpu, tensorflow, wasm, cpu\)/);
    process.env.TS_BACKEND = 'wasm';
    expect(backendOverride()).toBe('wasm');
    process.env.TS_BACKEND = 'auto';
    expect(backendOverride()).toBeUndefined();
  });

  const probes = probeBackends();
  const native = probes.find((p) => p.name === 'tensorflow');
  it.skipIf(!native?.available || !!saved)('auto picks the native engine and doctor names its libtensorflow', async () => {
    expect(native!.libtensorflow?.source).toMatch(/^(official|local-wheel)$/);
    expect(native!.libtensorflow?.loadedVersion).toMatch(/^2\.\d+\.\d+/);
    delete process.env.TS_BACKEND;
    const first = probes.find((p) => p.available)!.name;
    expect(await initBackend('auto')).toBe(first);
    expect(tf.getBackend()).toBe('tensorflow');
    const y = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync()));
    expect(y).toEqual([19, 22, 43, 50]);
  });
});
