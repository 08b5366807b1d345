// SPDX-License-Identifier: MIT
// Inference and one full fine-tune step of a zoo backbone + 10-way head on the active TF.js
// backend, built like the Keras peer (bench/peers/keras_native.py): weights=None, global average
// pooling, Dense softmax, Adam, every layer trainable, BatchNormalization in training mode.
// The step goes through the engine's own trainModel, so what is timed is what `train` runs.
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src/engine/zoo/registry';
import type { Sample } from './stats';

const CLASSES = 10;

function batchOf(size: number, batch: number): { x: Float32Array; y: Int32Array; shape: [number, number, number, number] } {
  const shape: [number, number, number, number] = [batch, size, size, 3];
  const x = new Float32Array(batch * size * size * 3);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 256) / 127.5 - 1;
  return { x, y: Int32Array.from({ length: batch }, (_, i) => i % CLASSES), shape };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

/** Per-call ms (not per image) of model.predict on one batch, after `warmup` calls. */
export async function timeInference(arch: string, size: number, batch: number, reps: number, warmup = 1): Promise<Sample[]> {
  const model = createModel(arch, { includeTop: false, inputShape: [size, size, 3], pooling: 'avg' });
  const { x, shape } = batchOf(size, batch);
  const input = tf.tensor4d(x, shape);
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < warmup + reps; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const out = model.predict(input) as tf.Tensor;
      await out.data();
      out.dispose();
      if (i >= warmup) samples.push({ wallMs: performance.now() - t0, cpuMs: cpuMs(c0) });
    }
  } finally {
    input.dispose();
    model.dispose();
  }
  return samples;
}

interface TrainApi {
  trainModel: (config: Record<string, unknown>, data: Record<string, unknown>, hooks: Record<string, unknown>) => Promise<{ model: tf.LayersModel }>;
}

/** Per-call ms of one full fine-tune step through trainModel; the first step (warm-up) is left out. */
export async function timeTrainStep(arch: string, size: number, batch: number, reps: number): Promise<Sample[]> {
  const { trainModel } = (await import('../../src/engine/train/index')) as unknown as TrainApi;
  const b = batchOf(size, batch);
  const steps = reps + 1;
  const stamps: { t: number; c: number }[] = [];
  const start = process.cpuUsage();
  const result = await trainModel(
    { backbone: arch, weights: null, imageSize: size, epochs: 1, batch, numClasses: CLASSES, freezeUntil: 'none', seed: 1, augment: false },
    { train: { size: steps * batch, epoch: async function* () { for (let i = 0; i < steps; i++) yield b; } } },
    { onBatch: () => stamps.push({ t: performance.now(), c: cpuMs(start) }) },
  );
  result.model.dispose();
  const samples: Sample[] = [];
  for (let i = 1; i < stamps.length; i++) samples.push({ wallMs: stamps[i].t - stamps[i - 1].t, cpuMs: stamps[i].c - stamps[i - 1].c });
  return samples;
}
