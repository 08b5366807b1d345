// SPDX-License-Identifier: MIT
// Feature extraction (issue 7): JPEG files on disk -> avg-pooled notop features. Ours (decode
// workers + ONNX Runtime), the raw ONNX Runtime session on pre-decoded batches (the floor), our
// TF.js path per backend, and PyTorch CPU on the same images, back to back per batch size.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initBackend, type BackendName } from '../../src/engine/backend/backend';
import { createBatchPipeline } from '../../src/engine/data/pipeline';
import { convertToOnnx, createSession, runSession } from '../../src/engine/onnx/index';
import { preprocessInput, preprocessPixels } from '../../src/engine/zoo/preprocess';
import { getModelSpec } from '../../src/engine/zoo/registry';
import { writeJpegs } from '../lib/images';
import { MiB, trackPeak } from '../lib/peak-memory';
import { runPeer, seriesSummary, torchMissing, type TimedSeries } from '../lib/peers';
import { loadAverage, measure, type Summary } from '../lib/stats';
import { atLeast, atMost, fmt, notMeasured } from '../lib/targets';
import { emptyOutput, type BenchCase, type CaseOutput, type Row } from '../lib/types';

const SIZE = 224;
const TORCH_NAME: Record<string, string> = { mobilenetv2: 'mobilenetv2', resnet50: 'resnet50' };

interface Plan {
  models: string[];
  batches: number[];
  images: number;
  reps: number;
  /** Images per rep on TF.js wasm at batch 1 (it is ~10x slower than ORT). */
  wasmBatch1Images: number;
  cpuImages: number;
  cpuReps: number;
}

const FULL: Plan = { models: ['mobilenetv2', 'resnet50'], batches: [1, 32], images: 32, reps: 3, wasmBatch1Images: 8, cpuImages: 1, cpuReps: 2 };
const QUICK: Plan = { models: ['mobilenetv2'], batches: [1, 8], images: 8, reps: 2, wasmBatch1Images: 2, cpuImages: 1, cpuReps: 1 };

/** Images/s row from a summary of the time for `images` images. */
function rateRow(name: string, s: Summary, images: number, extra: Partial<Row> = {}): Row {
  const rate = (ms: number) => (images * 1000) / ms;
  return {
    name,
    value: rate(s.median),
    unit: 'img/s',
    spread: s.n >= 4 ? { lo: rate(s.q3), hi: rate(s.q1), kind: 'IQR' } : s.n > 1 ? { lo: rate(s.max), hi: rate(s.min), kind: 'min-max' } : undefined,
    cpu: `${fmt(s.cpuMedian / images)} ms CPU/img`,
    load: s.load,
    reps: s.n,
    ...extra,
  };
}

function imagesPerSec(s: Summary, images: number): number {
  return (images * 1000) / s.median;
}

async function decodeAll(paths: string[]): Promise<Float32Array> {
  const px = SIZE * SIZE * 3;
  const all = new Float32Array(paths.length * px);
  const pipe = createBatchPipeline({ items: paths.map((path) => ({ path, label: 0 })), batchSize: 16, decode: { width: SIZE, height: SIZE } });
  let at = 0;
  for await (const b of pipe) {
    all.set(b.x, at);
    at += b.x.length;
  }
  return all;
}

async function measureModel(id: string, plan: Plan, paths: string[], pixels: Float32Array, pixelsFile: string, jpegDir: string, out: CaseOutput, log: (m: string) => void): Promise<void> {
  const spec = getModelSpec(id);
  const backends: BackendName[] = ['wasm', 'cpu'];
  await initBackend('wasm');
  const model = spec.build({ includeTop: false, pooling: 'avg', inputShape: [SIZE, SIZE, 3] });
  const onnx = convertToOnnx(model);
  const session = await createSession(onnx);
  const px = SIZE * SIZE * 3;
  const n = paths.length;
  const pre = preprocessPixels(pixels, spec.preprocess);
  const noTorch = torchMissing();

  for (const batch of plan.batches) {
    log(`${spec.name} batch ${batch}`);
    // Ours: files -> decode workers -> preprocess -> ONNX Runtime, everything timed.
    const peak = trackPeak();
    const fast = await measure(async () => {
      const pipe = createBatchPipeline({ items: paths.map((path) => ({ path, label: 0 })), batchSize: batch, decode: { width: SIZE, height: SIZE } });
      for await (const b of pipe) await runSession(session, preprocessPixels(b.x, spec.preprocess), b.shape);
    }, { warmup: 1, reps: plan.reps });
    const fastPeak = peak.stop();
    log(`  ours ${fmt(imagesPerSec(fast, n))} img/s`);
    // Every epoch after the first: the same files through the decoded-image cache (the warm-up rep fills it).
    const imageCacheDir = join(jpegDir, '..', `image-cache-${id}-${batch}`);
    const warm = await measure(async () => {
      const pipe = createBatchPipeline({ items: paths.map((path) => ({ path, label: 0 })), batchSize: batch, decode: { width: SIZE, height: SIZE }, imageCacheDir });
      for await (const b of pipe) await runSession(session, preprocessPixels(b.x, spec.preprocess), b.shape);
    }, { warmup: 1, reps: plan.reps });
    // The decoder's other resize: sharp's lanczos3 in one chain lets JPEG shrink on load.
    const lanczos = await measure(async () => {
      const pipe = createBatchPipeline({ items: paths.map((path) => ({ path, label: 0 })), batchSize: batch, decode: { width: SIZE, height: SIZE, interpolation: 'lanczos3' } });
      for await (const b of pipe) await runSession(session, preprocessPixels(b.x, spec.preprocess), b.shape);
    }, { warmup: 0, reps: plan.reps });
    out.rows.push(rateRow(`${spec.name} b${batch}: ours, JPEG→features, lanczos3 decode option`, lanczos, n, { note: 'same, with DecodeOptions.interpolation lanczos3 (not the default)' }));
    out.rows.push(rateRow(`${spec.name} b${batch}: ours, JPEG→features (decode + ORT)`, fast, n, { peakRssMiB: fastPeak / MiB }));

    // Floor: the same session on pre-decoded, preprocessed batches, straight ort calls.
    const tensors: ort.Tensor[] = [];
    for (let s = 0; s < n; s += batch) {
      const b = Math.min(batch, n - s);
      tensors.push(new ort.Tensor('float32', pre.subarray(s * px, (s + b) * px), [b, SIZE, SIZE, 3]));
    }
    const raw = await measure(async () => {
      for (const t of tensors) {
        const r = await session.run({ [session.inputNames[0]]: t });
        for (const o of Object.values(r)) o.dispose();
      }
    }, { warmup: 1, reps: plan.reps });
    out.rows.push(rateRow(`${spec.name} b${batch}: ours, JPEG→features over the warm decoded-image cache`, warm, n, { note: `ours warm / floor: ${fmt(warm.median / raw.median)}x by wall time` }));
    out.rows.push(rateRow(`${spec.name} b${batch}: raw ORT session floor (pre-decoded)`, raw, n, { note: `ours / floor: ${fmt(fast.median / raw.median)}x by wall time, ${fmt(fast.cpuMedian / raw.cpuMedian)}x by CPU time (decode is the difference)` }));
    log(`  raw ORT ${fmt(imagesPerSec(raw, n))} img/s`);

    // Our TF.js path on each backend, pre-decoded input (model time only).
    for (const backend of backends) {
      if (backend === 'cpu' && batch !== 1) continue;
      await initBackend(backend);
      const count = backend === 'cpu' ? plan.cpuImages : batch === 1 ? plan.wasmBatch1Images : batch;
      const xs: tf.Tensor4D[] = [];
      for (let s = 0; s < count; s += batch) xs.push(tf.tensor4d(pixels.subarray(s * px, (s + batch) * px), [batch, SIZE, SIZE, 3]));
      const run = async () => {
        for (const x of xs) {
          const y = tf.tidy(() => model.predict(preprocessInput(x, spec.preprocess)) as tf.Tensor);
          await y.data();
          y.dispose();
        }
      };
      const s = await measure(run, { warmup: 1, reps: backend === 'cpu' ? plan.cpuReps : plan.reps });
      tf.dispose(xs);
      out.rows.push(rateRow(`${spec.name} b${batch}: ours, TF.js ${backend} (pre-decoded)`, s, count, { note: `${count} image(s) per rep` }));
      log(`  TF.js ${backend} ${fmt(imagesPerSec(s, count))} img/s`);
    }

    // PyTorch CPU, same pixels (model only) and same JPEG files (PIL decode included).
    let torchDecode: Summary | undefined;
    let torchImages = n;
    if (noTorch) {
      out.rows.push({ name: `${spec.name} b${batch}: PyTorch CPU`, value: Number.NaN, unit: 'img/s', load: loadAverage(), note: `skipped: ${noTorch}` });
    } else {
      const load0 = loadAverage();
      const r = await runPeer<{ images: number; model_only: TimedSeries; with_decode: TimedSeries; threads: number; torch: string; peak_rss_mib: number }>('torch_extract.py', [
        '--model', TORCH_NAME[id], '--batch', String(batch), '--reps', String(plan.reps), '--warmup', '1', '--pixels', pixelsFile, '--jpegs', jpegDir,
        // Batch 1 in PyTorch is the slowest row of the case; half the images give the same per-image figure.
        '--images', String(batch === 1 ? Math.min(16, n) : n),
      ]);
      const load = (load0 + loadAverage()) / 2;
      torchDecode = seriesSummary(r.with_decode, load);
      torchImages = r.images;
      const torchModel = seriesSummary(r.model_only, load);
      const cpuRatio = torchDecode.cpuMedian / r.images / (fast.cpuMedian / n);
      out.rows.push(rateRow(`${spec.name} b${batch}: PyTorch ${r.torch} CPU, JPEG→features (PIL decode)`, torchDecode, r.images, { peakRssMiB: r.peak_rss_mib, note: `${r.threads} threads; ours vs this: ${fmt(imagesPerSec(fast, n) / imagesPerSec(torchDecode, r.images))}x by wall time, ${fmt(cpuRatio)}x by CPU time` }));
      out.rows.push(rateRow(`${spec.name} b${batch}: PyTorch CPU (pre-decoded)`, torchModel, r.images, { note: `vs raw ORT floor: ORT ${fmt(imagesPerSec(raw, n) / imagesPerSec(torchModel, r.images))}x; by CPU time ${fmt(torchModel.cpuMedian / r.images / (raw.cpuMedian / n))}x` }));
    }

    const ours = imagesPerSec(fast, n);
    if (id === 'mobilenetv2') out.targets.push(atLeast(`${spec.name} b${batch} ≥ 80 img/s from JPEG files`, ours, 80, 'img/s'));
    out.targets.push(atMost(`${spec.name} b${batch} within 1.5x of the raw ORT floor (time ours / floor, every file decoded)`, fast.median / raw.median, 1.5));
    out.targets.push(atMost(`${spec.name} b${batch} within 1.5x of the raw ORT floor (decoded-image cache warm)`, warm.median / raw.median, 1.5));
    if (torchDecode) {
      out.targets.push(atLeast(`${spec.name} b${batch} ≥ 4x PyTorch CPU (both from JPEG files)`, ours / imagesPerSec(torchDecode, torchImages), 4));
    } else {
      out.targets.push(notMeasured(`${spec.name} b${batch} ≥ 4x PyTorch CPU`, noTorch ?? 'PyTorch missing'));
    }
  }
  await session.release();
  model.dispose();
}

export const extractCase: BenchCase = {
  id: 'extract',
  title: 'Feature extraction 224',
  async run(ctx) {
    const out = emptyOutput();
    const plan = ctx.quick ? QUICK : FULL;
    tf.env().set('PROD', true);
    const jpegDir = join(ctx.tmpDir, 'jpegs');
    ctx.log(`writing ${plan.images} JPEGs (500x375)`);
    const paths = await writeJpegs(jpegDir, plan.images);
    const pixels = await decodeAll(paths);
    const pixelsFile = join(ctx.tmpDir, 'pixels.f32');
    writeFileSync(pixelsFile, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    for (const id of plan.models) await measureModel(id, plan, paths, pixels, pixelsFile, jpegDir, out, ctx.log);
    out.notes.push(
      `${plan.images} photo-like 500x375 JPEGs per rep (TF.js rows: fewer, see note); resize bilinear to 224 (the pipeline's default), the process's decode pool (one worker per core, at most 8); notop + global average pooling, random weights (speed does not depend on them); ORT with every core and full graph optimisation. Throughput = images / median wall time; CPU = process CPU time (all threads) per image.`,
      'PyTorch runs as a child process with torch.set_num_threads(os.cpu_count()), inference_mode, torchvision Resize/ToTensor/Normalize on PIL images (single process, as a plain script does).',
    );
    if (!ctx.quick) out.notes.push('TF.js cpu is measured at batch 1 only (about 1.6 s per MobileNetV2 image).');
    return out;
  },
};
