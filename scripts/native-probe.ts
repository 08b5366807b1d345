// SPDX-License-Identifier: MIT
// Profiling aid for the native engine: times inference and a full fine-tune step of a zoo model on
// a chosen backend (TS_BACKEND, default tensorflow) and, with --profile, lists the kernels that
// cost most in one training step through the engine's forward() (tf.profile) and how many ran.
//   node --import tsx scripts/native-probe.ts [--model mobilenetv2] [--size 224] [--batch 8] [--reps 3] [--profile]
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../src/engine/backend/backend';
import { timeInference, timeTrainStep } from '../bench/lib/native-step';

const { values: a } = parseArgs({ options: { model: { type: 'string', default: 'mobilenetv2' }, size: { type: 'string', default: '224' }, batch: { type: 'string', default: '8' }, reps: { type: 'string', default: '3' }, profile: { type: 'boolean', default: false }, skip: { type: 'string', default: '' } } });
tf.env().set('PROD', true);
const backend = await initBackend((process.env.TS_BACKEND as BackendName | undefined) ?? 'tensorflow');
const size = Number(a.size);
const batch = Number(a.batch);
const reps = Number(a.reps);
const med = (s: { wallMs: number }[]) => s.map((x) => x.wallMs).sort((p, q) => p - q)[Math.floor(s.length / 2)];
if (!a.skip.includes('infer')) {
  const inf = await timeInference(a.model, size, batch, reps);
  console.log(`${backend} ${a.model} ${size}px b${batch} inference: ${(med(inf) / batch).toFixed(1)} ms/img (${inf.map((s) => s.wallMs.toFixed(0)).join(', ')} ms/batch)`);
}
if (!a.skip.includes('step')) {
  const st = await timeTrainStep(a.model, size, batch, reps);
  console.log(`${backend} ${a.model} ${size}px b${batch} step: ${(med(st) / batch).toFixed(1)} ms/img (${st.map((s) => s.wallMs.toFixed(0)).join(', ')} ms/batch; cpu ${st.map((s) => s.cpuMs.toFixed(0)).join(', ')})`);
}
if (a.profile) {
  const { createModel } = await import('../src/engine/zoo/registry');
  const { forward } = await import('../src/engine/train/forward');
  const base = createModel(a.model, { includeTop: false, inputShape: [size, size, 3], pooling: 'avg' });
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: out });
  const x = tf.randomUniform([batch, size, size, 3], -1, 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const opt = tf.train.adam(1e-3);
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(model, x, { training: true })[0]) as tf.Scalar, true)!.dispose();
  step();
  const info = await tf.profile(step);
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) {
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.n++;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`profile: ${info.kernels.length} kernels, ${total.toFixed(0)} ms kernel time, newTensors ${info.newTensors}, peak ${(info.peakBytes / 2 ** 20).toFixed(0)} MiB`);
  for (const [name, e] of [...by.entries()].sort((p, q) => q[1].ms - p[1].ms).slice(0, 25)) console.log(`  ${name.padEnd(36)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.n).padStart(5)} calls`);
}
