// SPDX-License-Identifier: MIT
// Feature extraction through the fast path's extractFeatures: photo-like JPEGs on disk ->
// decode workers -> pretrained MobileNetV2 (nsfwjs) up to the pooled out_relu on ONNX Runtime ->
// feature cache, against the raw session time for the same batches (pre-decoded).
//   node --import tsx scripts/feature-extract-bench.ts [--images 256] [--size 224] [--batch 32]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { writeJpegs } from '../bench/lib/images';
import { createBatchPipeline } from '../src/engine/data/pipeline';
import { FeatureCache } from '../src/engine/features/cache';
import { extractFeatures } from '../src/engine/features/extract';
import { convertToOnnx, createSession } from '../src/engine/onnx/index';
import { zooBackboneLoader } from '../src/engine/train/backbone-loader';
import { preprocessPixels } from '../src/engine/zoo/preprocess';

const argv = process.argv.slice(2);
const num = (flag: string, d: number) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : d);
const n = num('--images', 256);
const size = num('--size', 224);
const batch = num('--batch', 32);
tf.env().set('PROD', true);
const dir = mkdtempSync(path.join(os.tmpdir(), 'fx-bench-'));
const paths = await writeJpegs(path.join(dir, 'jpegs'), n);
const bb = await zooBackboneLoader()({ backbone: 'mobilenetv2', weights: 'nsfwjs', imageSize: size, epochs: 1 });
const pooled = tf.model({ inputs: bb.model.inputs, outputs: tf.layers.globalAveragePooling2d({}).apply(bb.model.outputs[0]) as tf.SymbolicTensor });
const onnx = convertToOnnx(pooled);
const session = await createSession(onnx);
const key = { model: 'mobilenetv2', weights: 'nsfwjs', boundary: 'out_relu', pooling: 'avg' as const, preprocess: 'unit', inputSize: [size, size] as [number, number], decode: {}, frozenSha256: 'bench' };
const items = paths.map((p, i) => ({ path: p, label: 0, sha256: `img${i}` }));
// Warm-up run (ORT first-run allocations), then a fresh cache for the measured run.
const warm = FeatureCache.open(path.join(dir, 'warm'), key, [1, 1, 1280]);
await extractFeatures({ frozen: session, cache: warm, items: items.slice(0, batch), imageSize: size, preprocess: 'unit', batchSize: batch });
warm.close();
const cache = FeatureCache.open(path.join(dir, 'cache'), key, [1, 1, 1280]);
const c0 = process.cpuUsage();
const stats = await extractFeatures({ frozen: session, cache, items, imageSize: size, preprocess: 'unit', batchSize: batch });
const cpu = process.cpuUsage(c0);
cache.close();
// Floor: the same session on the same batches, decoded and preprocessed beforehand.
const tensors: ort.Tensor[] = [];
for await (const b of createBatchPipeline({ items: paths.map((p) => ({ path: p, label: 0 })), batchSize: batch, decode: { width: size, height: size } })) {
  tensors.push(new ort.Tensor('float32', preprocessPixels(b.x, 'unit'), b.shape));
}
const t0 = performance.now();
for (const t of tensors) {
  const r = await session.run({ [session.inputNames[0]]: t });
  for (const o of Object.values(r)) o.dispose();
}
const rawSeconds = (performance.now() - t0) / 1000;
await session.release();
rmSync(dir, { recursive: true, force: true });
const load = os.loadavg()[0];
process.stdout.write(`${JSON.stringify({ images: n, size, batch, pipelineImagesPerSec: stats.imagesPerSec, pipelineSeconds: stats.seconds, sessionSecondsInPipeline: stats.sessionSeconds, rawSessionSeconds: rawSeconds, rawImagesPerSec: n / rawSeconds, ratio: stats.seconds / rawSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadAverage1m: load })}\n`);
