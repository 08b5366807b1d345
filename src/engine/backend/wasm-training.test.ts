// SPDX-License-Identifier: MIT
// End to end: one training step of a net that uses every zoo layer kind gives the same gradients
// and the same SGD update on wasm (with our kernels) as on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readyBackends, seededData } from './wasm-grads/compare-backends';
import { activeBackend, initBackend } from './backend';
import { buildProbeNet } from './wasm-probe-net';
import { registerWasmTrainingKernels } from './wasm-training';

const SIZE = 16;
const BATCH = 4;

interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
  after: Map<string, Float32Array>;
}

async function trainStep(backend: 'cpu' | 'wasm', weights: Float32Array[]): Promise<StepResult> {
  await tf.setBackend(backend);
  const model = buildProbeNet(SIZE, 3, 7, 0);
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const x = tf.tensor(seededData([BATCH, SIZE, SIZE, 3], 11), [BATCH, SIZE, SIZE, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  const lossFn = (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  const { value, grads } = tf.variableGrads(lossFn);
  // Layer names get per-process suffixes, so weights are matched by their position in the model.
  const gradData = new Map<string, Float32Array>();
  for (const [i, w] of model.trainableWeights.entries()) gradData.set(`${i}:${w.shape}`, (await grads[w.name].data()) as Float32Array);
  tf.train.sgd(0.5).applyGradients(grads);
  const after = new Map<string, Float32Array>();
  for (const [i, w] of model.weights.entries()) after.set(`${i}:${w.shape}`, (await w.read().data()) as Float32Array);
  const loss = (await value.data())[0];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return { loss, grads: gradData, after };
}

function relErr(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

describe('registerWasmTrainingKernels', () => {
  beforeAll(readyBackends);

  it('is idempotent and leaves the cpu kernels alone', () => {
    const cpuBefore = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    expect(registerWasmTrainingKernels()).toContain('Conv2DBackpropFilter');
    expect(registerWasmTrainingKernels()).toContain('DepthwiseConv2dNativeBackpropInput');
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(cpuBefore);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('is what initBackend(\'wasm\') installs, with the .wasm files found through the package', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(activeBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeDefined();
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.zeros([2, 2, 1, 1]));
    // Each of the four taps sees four ones: the filter gradient is 4 everywhere.
    expect(Array.from(await g.data())).toEqual([4, 4, 4, 4]);
    await tf.setBackend('cpu');
  });

  it('gives the cpu gradients and SGD update for one step of the probe net', async () => {
    await tf.setBackend('cpu');
    const seedModel = buildProbeNet(SIZE, 3, 7, 0);
    const weights = await Promise.all(seedModel.getWeights().map(async (w) => (await w.data()) as Float32Array));
    seedModel.dispose();
    const cpu = await trainStep('cpu', weights);
    const wasm = await trainStep('wasm', weights);
    await tf.setBackend('cpu');

    // A forward pass of ~10 layers in float32 agrees to ~1e-6 relative; 1e-4 leaves room for
    // summation order and still catches a wrong gradient anywhere (which moves the loss by >1e-2).
    expect(Number.isFinite(cpu.loss)).toBe(true);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 * Math.abs(cpu.loss));
    expect([...wasm.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
    expect(cpu.grads.size).toBeGreaterThanOrEqual(15);
    // Measured: every gradient agrees to <= 1e-6 of its largest entry (float32 summation order).
    // 1e-5 leaves headroom and is still far below what any wrong kernel gives: the backend's own
    // MaxPoolGrad, for one, put 8-34% errors into every weight upstream of the pooling.
    for (const [name, g] of cpu.grads) {
      expect(relErr(wasm.grads.get(name)!, g), name).toBeLessThan(1e-5);
    }
    for (const [name, w] of cpu.after) expect(relErr(wasm.after.get(name)!, w), name).toBeLessThan(1e-5);
  });
});
