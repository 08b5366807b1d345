// SPDX-License-Identifier: MIT
// The native engine (issue 15): TF.js on the 'tensorflow' backend against Keras 3 on TensorFlow CPU
// (the same libtensorflow where tensorflow:local built it) and PyTorch CPU, MobileNetV2 and
// ResNet50 at 224 px, batch 8: inference and one full fine-tune step. Targets: inference no
// slower than 1.2x Keras, a training step no slower than 1.5x Keras.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend/backend';
import { timeInference, timeTrainStep } from '../lib/native-step';
import { runPeer, seriesSummary, torchMissing, type TimedSeries } from '../lib/peers';
import { loadAverage, summarize, type Summary } from '../lib/stats';
import { atMost, fmt, notMeasured } from '../lib/targets';
import { emptyOutput, type BenchCase, type CaseOutput, type Row } from '../lib/types';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The project Python (npm run python:env); KERAS_PYTHON names another with keras + tensorflow. */
const KERAS_PYTHON = process.env.KERAS_PYTHON ?? path.join(repo, '.venv', 'bin', 'python');

interface KerasOut {
  keras: string;
  tensorflow: string;
  jit_compile: boolean;
  infer: TimedSeries;
  step: TimedSeries;
  peak_rss_mib: number;
}

function runKeras(args: string[]): Promise<KerasOut> {
  const script = path.join(repo, 'bench', 'peers', 'keras_native.py');
  return new Promise((resolve, reject) => {
    execFile(KERAS_PYTHON, [script, ...args], { encoding: 'utf8', timeout: 900_000, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`keras_native.py failed: ${(stderr || err.message).trim().split('\n').slice(-2).join(' | ')}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as KerasOut);
      } catch {
        reject(new Error(`keras_native.py printed no JSON: ${stdout.slice(-300)}`));
      }
    });
  });
}

function row(name: string, s: Summary, batch: number, note?: string, peakRssMiB?: number): Row {
  return {
    name,
    value: s.median / batch,
    unit: 'ms/img',
    spread: s.n > 1 ? { lo: s.min / batch, hi: s.max / batch, kind: 'min-max' } : undefined,
    cpu: `${fmt(s.cpuMedian / batch)} ms CPU/img`,
    load: s.load,
    reps: s.n,
    ...(peakRssMiB ? { peakRssMiB } : {}),
    ...(note ? { note } : {}),
  };
}

export const nativeCase: BenchCase = {
  id: 'native',
  title: 'Native engine (tfjs-node) vs Keras and PyTorch',
  async run(ctx) {
    const out: CaseOutput = emptyOutput();
    tf.env().set('PROD', true);
    try {
      await initBackend('tensorflow');
    } catch (err) {
      out.status = 'unavailable';
      out.notes.push(`the tensorflow backend is not installed (npm run tensorflow:local): ${(err as Error).message.split('\n')[0]}`);
      return out;
    }
    const size = ctx.quick ? 128 : 224;
    const batch = 8;
    const reps = ctx.quick ? 2 : 5;
    const models = ctx.quick ? ['mobilenetv2'] : ['mobilenetv2', 'resnet50'];
    const noKeras = existsSync(KERAS_PYTHON) ? null : `${KERAS_PYTHON} is missing (npm run python:env)`;
    const noTorch = torchMissing();
    const errors: string[] = [];
    for (const arch of models) {
      const tag = `${arch} ${size}px b${batch}`;
      ctx.log(`tfjs-node ${tag}`);
      let l0 = loadAverage();
      const inf = summarize(await timeInference(arch, size, batch, reps), (l0 + loadAverage()) / 2);
      out.rows.push(row(`tfjs-node inference, ${tag}`, inf, batch));
      l0 = loadAverage();
      const step = summarize(await timeTrainStep(arch, size, batch, reps), (l0 + loadAverage()) / 2);
      out.rows.push(row(`tfjs-node full fine-tune step, ${tag}`, step, batch, 'engine trainModel, Adam, BN training (fused)'));

      if (noKeras) {
        out.targets.push(notMeasured(`${arch} inference ≤ 1.2x Keras`, noKeras), notMeasured(`${arch} step ≤ 1.5x Keras`, noKeras));
      } else {
        ctx.log(`keras ${tag}`);
        try {
          l0 = loadAverage();
          const k = await runKeras(['--model', arch, '--size', String(size), '--batch', String(batch), '--reps', String(reps), '--warmup', '1']);
          const ld = (l0 + loadAverage()) / 2;
          const ki = seriesSummary(k.infer, ld);
          const ks = seriesSummary(k.step, ld);
          const who = `Keras ${k.keras} / TF ${k.tensorflow} CPU${k.jit_compile ? ' (XLA)' : ''}`;
          out.rows.push(row(`${who} inference, ${tag}`, ki, batch, `ours/Keras ${fmt(inf.median / ki.median)}x wall, ${fmt(inf.cpuMedian / ki.cpuMedian)}x CPU`, k.peak_rss_mib));
          out.rows.push(row(`${who} train_on_batch, ${tag}`, ks, batch, `ours/Keras ${fmt(step.median / ks.median)}x wall, ${fmt(step.cpuMedian / ks.cpuMedian)}x CPU`));
          out.targets.push(atMost(`${arch} inference ≤ 1.2x Keras/TF CPU (wall, ours / Keras)`, inf.median / ki.median, 1.2));
          out.targets.push(atMost(`${arch} full fine-tune step ≤ 1.5x Keras/TF CPU (wall, ours / Keras)`, step.median / ks.median, 1.5));
        } catch (err) {
          errors.push((err as Error).message);
        }
      }

      if (noTorch) {
        out.rows.push({ name: `PyTorch CPU, ${tag}`, value: Number.NaN, unit: 'ms/img', load: loadAverage(), note: `skipped: ${noTorch}` });
      } else {
        ctx.log(`pytorch ${tag}`);
        try {
          const pixels = path.join(ctx.tmpDir, `native-${size}.f32`);
          const buf = new Float32Array(batch * size * size * 3).map((_, i) => (i * 7919) % 256);
          writeFileSync(pixels, Buffer.from(buf.buffer));
          l0 = loadAverage();
          const ti = await runPeer<{ model_only: TimedSeries; torch: string; threads: number }>('torch_extract.py', ['--mode', 'extract', '--model', arch, '--size', String(size), '--batch', String(batch), '--reps', String(reps), '--warmup', '1', '--pixels', pixels]);
          const pi = seriesSummary(ti.model_only, (l0 + loadAverage()) / 2);
          out.rows.push(row(`PyTorch ${ti.torch} CPU inference, ${tag}`, pi, batch, `${ti.threads} threads; ours/PyTorch ${fmt(inf.median / pi.median)}x`));
          l0 = loadAverage();
          const tt = await runPeer<{ step: TimedSeries; torch: string }>('torch_extract.py', ['--mode', 'train', '--model', arch, '--size', String(size), '--batch', String(batch), '--reps', String(reps), '--warmup', '1']);
          const ps = seriesSummary(tt.step, (l0 + loadAverage()) / 2);
          out.rows.push(row(`PyTorch ${tt.torch} CPU full fine-tune step, ${tag}`, ps, batch, `ours/PyTorch ${fmt(step.median / ps.median)}x`));
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }
    out.notes.push('Same model on every side: backbone with weights=None, global average pooling, Dense(10) softmax, Adam, all layers trainable, BatchNormalization in training mode; per-call times after one warm-up call. Ratios are wall time (the targets) and CPU time (less sensitive to a loaded machine).');
    if (errors.length) {
      out.status = 'error';
      out.error = errors.join('; ');
    }
    return out;
  },
};
