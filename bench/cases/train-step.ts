// SPDX-License-Identifier: MIT
// Training step, MobileNetV2 (issue 6/11): ms per image and peak memory for head only on cached
// features, top blocks unfrozen, and full fine-tune, on each TF.js backend, through the engine's
// trainModel; PyTorch CPU full fine-tune is the peer.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activeBackend, initBackend, type BackendName } from '../../src/engine/backend/backend';
import { getModelSpec } from '../../src/engine/zoo/registry';
import { GiB, MiB, trackPeak } from '../lib/peak-memory';
import { runPeer, seriesSummary, torchMissing, type TimedSeries } from '../lib/peers';
import { loadAverage, summarize, type Sample } from '../lib/stats';
import { atMost, fmt, notMeasured } from '../lib/targets';
import { emptyOutput, type BenchCase, type CaseOutput } from '../lib/types';

/** The subset of the train module this case calls (loaded at run time: it is still growing). */
interface TrainApi {
  trainModel: (config: Record<string, unknown>, data: Record<string, unknown>, hooks: Record<string, unknown>) => Promise<{ model: tf.LayersModel }>;
  zooBackboneLoader: () => (config: Record<string, unknown>) => Promise<{ model: tf.LayersModel; blockOf: (n: string) => string | null; pretrained: boolean }>;
}

interface Variant {
  key: 'head' | 'top' | 'full';
  label: string;
  freezeUntil: string;
}

const VARIANTS: Variant[] = [
  { key: 'head', label: 'head only, on cached features', freezeUntil: 'all' },
  { key: 'top', label: 'top blocks unfrozen (block_13…block_16, conv_1)', freezeUntil: 'block_12' },
  { key: 'full', label: 'full fine-tune', freezeUntil: 'none' },
];

const CLASSES = 10;

/** A source that yields the same random batch `steps` times (speed does not depend on pixels). */
function repeatedSource(x: Float32Array, y: Int32Array, shape: [number, number, number, number], steps: number) {
  return {
    size: steps * shape[0],
    epoch: async function* () {
      for (let i = 0; i < steps; i++) yield { x, y, shape };
    },
  };
}

async function timeSteps(api: TrainApi, v: Variant, size: number, batch: number, steps: number): Promise<{ samples: Sample[]; peak: number }> {
  const n = batch;
  const y = Int32Array.from({ length: n }, (_, i) => i % CLASSES);
  let shape: [number, number, number, number];
  let loadBackbone: ((c: Record<string, unknown>) => Promise<unknown>) | undefined;
  if (v.key === 'head') {
    // Cached features are the backbone's last feature map; the "backbone" is then a pass-through.
    const probe = getModelSpec('mobilenetv2').build({ includeTop: false, inputShape: [size, size, 3] });
    const fshape = probe.outputs[0].shape.slice(1) as number[];
    probe.dispose();
    shape = [n, fshape[0], fshape[1], fshape[2]];
    loadBackbone = async () => {
      const input = tf.input({ shape: fshape, name: 'cached_features' });
      const out = tf.layers.activation({ activation: 'linear', name: 'features_passthrough' }).apply(input) as tf.SymbolicTensor;
      return { model: tf.model({ inputs: input, outputs: out }), blockOf: () => 'features', pretrained: true };
    };
  } else {
    shape = [n, size, size, 3];
  }
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = (i * 2654435761) % 256;
  const stamps: { t: number; c: number }[] = [];
  const peak = trackPeak();
  const start = { t: performance.now(), c: process.cpuUsage() };
  const result = await api.trainModel(
    { backbone: 'mobilenetv2', weights: null, imageSize: size, epochs: 1, batch, numClasses: CLASSES, freezeUntil: v.freezeUntil, seed: 1 },
    { train: repeatedSource(x, y, shape, steps) },
    {
      ...(loadBackbone ? { loadBackbone } : {}),
      onBatch: () => {
        const c = process.cpuUsage(start.c);
        stamps.push({ t: performance.now(), c: (c.user + c.system) / 1000 });
      },
    },
  );
  const peakBytes = peak.stop();
  result.model.dispose();
  // Step i is the gap between batch events i-1 and i; the first step (graph tracing, kernel
  // set-up, optimizer slots) is the warm-up and not counted.
  const samples: Sample[] = [];
  for (let i = 1; i < stamps.length; i++) samples.push({ wallMs: (stamps[i].t - stamps[i - 1].t) / batch, cpuMs: (stamps[i].c - stamps[i - 1].c) / batch });
  return { samples, peak: peakBytes };
}

async function loadTrainApi(): Promise<TrainApi | null> {
  try {
    const mod = (await import('../../src/engine/train/index')) as unknown as Partial<TrainApi>;
    return typeof mod.trainModel === 'function' ? (mod as TrainApi) : null;
  } catch {
    return null;
  }
}

export const trainStepCase: BenchCase = {
  id: 'train-step',
  title: 'Training step MobileNetV2',
  async run(ctx) {
    const out: CaseOutput = emptyOutput();
    const api = await loadTrainApi();
    if (!api) {
      out.status = 'unavailable';
      out.notes.push('not available yet: src/engine/train has no trainModel.');
      return out;
    }
    tf.env().set('PROD', true);
    const size = ctx.quick ? 64 : 224;
    const batch = ctx.quick ? 4 : 16;
    const steps = ctx.quick ? 2 : 3;
    const best: Record<string, number> = {};
    const bestCpu: Record<string, number> = {};
    const errors: string[] = [];
    // cpu first: its memory is returned to the JS heap; the wasm heap only ever grows.
    for (const backend of ['cpu', 'wasm'] as BackendName[]) {
      await initBackend(backend);
      for (const v of VARIANTS) {
        // Quick (CI) mode: the slow pure-JS cpu backend runs only the cheap head row.
        if (ctx.quick && backend === 'cpu' && v.key !== 'head') continue;
        if (backend === 'cpu' && v.key === 'full' && os.freemem() < 12 * GiB) {
          out.rows.push({ name: `${v.label}, cpu, ${size}px b${batch}`, value: Number.NaN, unit: 'ms/img', load: loadAverage(), note: `skipped: ${(os.freemem() / GiB).toFixed(1)} GiB free, the cpu backend needs about 10 GiB for this step` });
          continue;
        }
        const vsteps = backend === 'cpu' && v.key !== 'head' && !ctx.quick ? 2 : v.key === 'head' ? steps + 2 : steps;
        ctx.log(`${backend} ${v.key} ${size}px batch ${batch}, ${vsteps} steps`);
        const load0 = loadAverage();
        try {
          const r = await timeSteps(api, v, size, batch, vsteps);
          const s = summarize(r.samples, (load0 + loadAverage()) / 2);
          out.rows.push({
            name: `${v.label}, ${activeBackend()}, ${size}px b${batch}`,
            value: s.median,
            unit: 'ms/img',
            spread: s.n > 1 ? { lo: s.min, hi: s.max, kind: 'min-max' } : undefined,
            cpu: `${fmt(s.cpuMedian)} ms CPU/img`,
            peakRssMiB: r.peak / MiB,
            load: s.load,
            reps: s.n,
            note: backend === 'wasm' ? 'peak RSS includes the wasm heap left by earlier rows' : undefined,
          });
          if (v.key === 'full') {
            best[backend] = s.median;
            bestCpu[backend] = s.cpuMedian;
          }
        } catch (err) {
          const msg = (err as Error).message.split('\n')[0];
          errors.push(`${backend} ${v.key}: ${msg}`);
          out.rows.push({ name: `${v.label}, ${backend}, ${size}px b${batch}`, value: Number.NaN, unit: 'ms/img', load: loadAverage(), note: `FAILED: ${msg}` });
        }
      }
    }
    const noTorch = torchMissing();
    const bestBackend = Object.entries(best).sort((a, b) => a[1] - b[1])[0];
    if (noTorch) {
      out.rows.push({ name: 'PyTorch CPU full fine-tune', value: Number.NaN, unit: 'ms/img', load: loadAverage(), note: `skipped: ${noTorch}` });
      out.targets.push(notMeasured('full fine-tune no slower than 2x PyTorch CPU', noTorch));
    } else {
      const load0 = loadAverage();
      const r = await runPeer<{ images: number; step: TimedSeries; torch: string; threads: number; peak_rss_mib: number }>('torch_extract.py', [
        '--mode', 'train', '--model', 'mobilenetv2', '--size', String(size), '--batch', String(batch), '--reps', String(steps), '--warmup', '1',
      ]);
      const s = seriesSummary(r.step, (load0 + loadAverage()) / 2);
      const per = s.median / batch;
      out.rows.push({
        name: `PyTorch ${r.torch} CPU full fine-tune (Adam, BN training), ${size}px b${batch}`,
        value: per,
        unit: 'ms/img',
        spread: s.n > 1 ? { lo: s.min / batch, hi: s.max / batch, kind: 'min-max' } : undefined,
        cpu: `${fmt(s.cpuMedian / batch)} ms CPU/img`,
        peakRssMiB: r.peak_rss_mib,
        load: s.load,
        reps: s.n,
        note: `${r.threads} threads${bestBackend ? `; ours (${bestBackend[0]}) / PyTorch: ${fmt(bestBackend[1] / per)}x by wall time, ${fmt(bestCpu[bestBackend[0]] / (s.cpuMedian / batch))}x by CPU time` : ''}`,
      });
      if (bestBackend) out.targets.push(atMost(`full fine-tune on the best backend (${bestBackend[0]}) no slower than 2x PyTorch CPU (time ours / PyTorch)`, bestBackend[1] / per, 2));
      else out.targets.push(notMeasured('full fine-tune no slower than 2x PyTorch CPU', 'no backend completed a full fine-tune step'));
    }
    out.notes.push(`trainModel with weights: null (random init, BN in training mode like the PyTorch peer), Adam, ${CLASSES} classes, in-memory batches; the first step of each run is warm-up. The cached-features row trains the head (pooling, dropout, dense) on MobileNetV2's last feature map through a pass-through backbone; computing those features is the extraction case.`);
    if (errors.length) {
      out.status = 'error';
      out.error = errors.join('; ');
    }
    return out;
  },
};
