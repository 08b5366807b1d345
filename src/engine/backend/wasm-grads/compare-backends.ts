// SPDX-License-Identifier: MIT
// Test support: runs one kernel on the cpu backend and on wasm (with our training kernels) on the
// same seeded random inputs, and reports how far apart the two results are.
import * as tf from '@tensorflow/tfjs';
import '../quiet';
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

/** Deterministic values in [-1, 1) so that both backends see identical inputs. */
export function seededData(shape: number[], seed: number): Float32Array {
  // A small LCG keeps the inputs identical across backends and runs without touching tf state.
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export interface HostTensor {
  data: Float32Array;
  shape: number[];
}

/** Runs one kernel on `backend` with the given host data and returns its result on the host. */
export async function runKernelOn(backend: 'cpu' | 'wasm', kernelName: string, inputs: Record<string, HostTensor>, attrs: object): Promise<HostTensor> {
  await readyBackends();
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) tensors[name] = tf.tensor(t.data, t.shape);
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { data: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  await tf.setBackend('cpu');
  return result;
}

/** How far `actual` is from `expected`. */
export function diffHost(actual: HostTensor, expected: HostTensor): KernelDiff {
  let maxAbs = actual.data.length === expected.data.length ? 0 : Infinity;
  let scale = 0;
  for (let i = 0; i < expected.data.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual.data[i] - expected.data[i]));
    scale = Math.max(scale, Math.abs(expected.data[i]));
  }
  return { maxAbs, scale, shape: actual.shape, cpuShape: expected.shape };
}

/** Seeded host inputs of the given shapes. */
export function seededInputs(shapes: Record<string, number[]>, seed: number): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    out[name] = { data: seededData(shape, seed + i), shape };
  });
  return out;
}

/** Runs `kernelName` on both backends with seeded inputs of the given shapes. */
export async function compareKernel(kernelName: string, inputs: Record<string, number[]>, attrs: object, seed = 1): Promise<KernelDiff> {
  const host = seededInputs(inputs, seed);
  const cpu = await runKernelOn('cpu', kernelName, host, attrs);
  const wasm = await runKernelOn('wasm', kernelName, host, attrs);
  return diffHost(wasm, cpu);
}

/** A 4-D explicit padding, [[0, 0], [top, bottom], [left, right], [0, 0]], or 'same' / 'valid'. */
export type ConvPad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/**
 * The spatial output size of a convolution along `axis` (1: height, 2: width) of NHWC input shape
 * `x`, for kernel size `k`, as TensorFlow computes it; what a backprop case's dy shape needs.
 */
export function convOutSize(x: number[], axis: 1 | 2, k: number, stride: number, pad: ConvPad, dilation = 1): number {
  const span = (k - 1) * dilation + 1;
  if (pad === 'same') return Math.ceil(x[axis] / stride);
  const padded = pad === 'valid' ? x[axis] : x[axis] + pad[axis][0] + pad[axis][1];
  return Math.floor((padded - span) / stride) + 1;
}
