// SPDX-License-Identifier: MIT
// Test support: runs one kernel on the cpu backend and on wasm (with our training kernels) on the
// same seeded random inputs, and reports how far apart the two results are.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../wasm-training';

export interface KernelDiff {
  /** max |wasm - cpu| over all elements */
  maxAbs: number;
  /** max |cpu|, the scale the error is judged against */
  scale: number;
  shape: number[];
  cpuShape: number[];
}

let ready: Promise<void> | undefined;

/** Registers our kernels and initialises both backends once per process. */
export function readyBackends(): Promise<void> {
  ready ??= (async () => {
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
    await tf.setBackend('cpu');
  })();
  return ready;
}

function seededData(shape: number[], seed: number): Float32Array {
  // A small LCG keeps the inputs identical across backends and runs without touching tf state.
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function runOn(backend: 'cpu' | 'wasm', kernelName: string, inputs: Record<string, number[]>, attrs: object, seed: number): Promise<{ data: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  Object.entries(inputs).forEach(([name, shape], i) => {
    tensors[name] = tf.tensor(seededData(shape, seed + i), shape);
  });
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { data: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** Runs `kernelName` on both backends with inputs of the given shapes. */
export async function compareKernel(kernelName: string, inputs: Record<string, number[]>, attrs: object, seed = 1): Promise<KernelDiff> {
  await readyBackends();
  const cpu = await runOn('cpu', kernelName, inputs, attrs, seed);
  const wasm = await runOn('wasm', kernelName, inputs, attrs, seed);
  let maxAbs = wasm.data.length === cpu.data.length ? 0 : Infinity;
  let scale = 0;
  for (let i = 0; i < cpu.data.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(wasm.data[i] - cpu.data[i]));
    scale = Math.max(scale, Math.abs(cpu.data[i]));
  }
  await tf.setBackend('cpu');
  return { maxAbs, scale, shape: wasm.shape, cpuShape: cpu.shape };
}
