// SPDX-License-Identifier: MIT
// Folder classification (issue 8): JPEG files on disk -> CSV through the engine's classifyFolder,
// images/s and peak memory at 1,000 and 10,000 files (memory must stay flat), next to the time
// spent inside the inference engine for the same images.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import type { ClassifiedFile, ClassifyOptions, ClassifySummary, ResolvedModel, ResultSink } from '../../src/engine/classify/types';
import { getModelSpec } from '../../src/engine/zoo/registry';
import { writeJpegs, writeManyJpegs } from '../lib/images';
import { GiB, MiB, trackPeak } from '../lib/peak-memory';
import { loadAverage } from '../lib/stats';
import { atLeast, atMost, fmt } from '../lib/targets';
import { emptyOutput, type BenchCase } from '../lib/types';

const ENTRY = fileURLToPath(new URL('../../src/engine/classify/classify-folder.ts', import.meta.url));
const EXPORT = fileURLToPath(new URL('../../src/engine/classify/export.ts', import.meta.url));

type ClassifyFolder = (model: ResolvedModel, sink: ResultSink, opts: ClassifyOptions) => Promise<ClassifySummary>;
interface ExportApi {
  csvHeader: (topK: number) => string[];
  csvRow: (r: ClassifiedFile & { correctedLabel: string | null }, topK: number) => string[];
}

async function loadEngine(): Promise<{ classifyFolder: ClassifyFolder; csv: ExportApi } | null> {
  if (!existsSync(ENTRY) || !existsSync(EXPORT)) return null;
  const mod = (await import(ENTRY)) as { classifyFolder?: ClassifyFolder };
  const csv = (await import(EXPORT)) as Partial<ExportApi>;
  if (typeof mod.classifyFolder !== 'function' || typeof csv.csvRow !== 'function' || typeof csv.csvHeader !== 'function') return null;
  return { classifyFolder: mod.classifyFolder, csv: csv as ExportApi };
}

/**
 * MobileNetV2 224 with its 1000-class top and random weights: the speed of a zoo model with
 * ImageNet weights without needing the Keras cache (no downloads here).
 */
function benchModel(): ResolvedModel {
  const spec = getModelSpec('mobilenetv2');
  return {
    source: 'zoo:mobilenetv2',
    modelKey: 'bench:mobilenetv2:random-init',
    dir: null,
    labels: Array.from({ length: 1000 }, (_, i) => `class_${i}`),
    inputSize: 224,
    preprocess: spec.preprocess,
    runId: null,
    load: async (): Promise<tf.LayersModel> => spec.build({ includeTop: true, inputShape: [224, 224, 3] }),
  };
}

/** Streams every result straight into the CSV file, as the export does, holding none of them. */
function csvSink(file: string, csv: ExportApi, topK: number): ResultSink & { count: () => number } {
  let n = 0;
  writeFileSync(file, `${csv.csvHeader(topK).join(',')}\n`);
  return {
    has: () => false,
    reuse: () => undefined,
    write: (rows) => {
      appendFileSync(file, rows.map((r) => `${csv.csvRow({ ...r, correctedLabel: null }, topK).join(',')}\n`).join(''));
      n += rows.length;
    },
    count: () => n,
  };
}

export const classifyCase: BenchCase = {
  id: 'classify',
  title: 'Folder classification',
  async run(ctx) {
    const out = emptyOutput();
    const engine = await loadEngine();
    if (!engine) {
      out.status = 'unavailable';
      out.notes.push('not available yet: no classifyFolder in src/engine/classify/classify-folder.ts.');
      return out;
    }
    const model = benchModel();
    const onnxCacheDir = join(ctx.tmpDir, 'onnx-cache');
    const topK = 5;
    // Warm-up: converts the model to ONNX once (cached by modelKey, as the app does).
    const warmDir = join(ctx.tmpDir, 'warm');
    await writeJpegs(warmDir, 8, 500, 375, 999);
    const tw = performance.now();
    await engine.classifyFolder(model, csvSink(join(ctx.tmpDir, 'warm.csv'), engine.csv, topK), { root: warmDir, onnxCacheDir, topK });
    out.notes.push(`first job (8 files) incl. ONNX conversion and session start: ${fmt((performance.now() - tw) / 1000)} s; later jobs reuse the cached .onnx.`);
    const sizes = ctx.quick ? [200] : [1000, 10000];
    for (const n of sizes) {
      const dir = join(ctx.tmpDir, `photos-${n}`);
      ctx.log(`writing ${n} JPEGs`);
      await writeManyJpegs(dir, join(ctx.tmpDir, `seed-${n}`), n);
      const file = join(ctx.tmpDir, `results-${n}.csv`);
      const sink = csvSink(file, engine.csv, topK);
      ctx.log(`classifying ${n} files`);
      const load0 = loadAverage();
      const peak = trackPeak();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const summary = await engine.classifyFolder(model, sink, { root: dir, onnxCacheDir, topK });
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const peakBytes = peak.stop();
      const lines = readFileSync(file, 'utf8').trim().split('\n').length - 1;
      if (lines !== n) throw new Error(`classifyFolder wrote ${lines} CSV rows for ${n} files`);
      const load = (load0 + loadAverage()) / 2;
      out.rows.push({
        name: `${n} JPEG files → CSV (MobileNetV2 224, ${summary.engine})`,
        value: n / seconds,
        unit: 'img/s',
        cpu: `${fmt((c.user + c.system) / 1000 / n)} ms CPU/img`,
        peakRssMiB: peakBytes / MiB,
        load,
        reps: 1,
        note: `${lines} CSV rows; walk + hash + decode + inference + CSV${summary.fallbackReason ? `; fell back: ${summary.fallbackReason}` : ''}`,
      });
      out.rows.push({
        name: `${n} files: inside the inference engine only`,
        value: n / summary.inferenceSeconds,
        unit: 'img/s',
        load,
        reps: 1,
        note: `${fmt(summary.inferenceSeconds)} s of ${fmt(seconds)} s in session.run`,
      });
      out.targets.push(atLeast(`${n} files ≥ 80 img/s`, n / seconds, 80, 'img/s'));
      out.targets.push(atMost(`${n} files peak memory < 1 GiB`, peakBytes / GiB, 1, 'GiB'));
    }
    out.notes.push('Random-weight MobileNetV2 with the 1000-class top (speed does not depend on weights); photo-like 500x375 JPEGs; default options (batch 16, cores-1 decode workers, bilinear); results streamed to CSV by a sink using the engine\'s csvRow.');
    return out;
  },
};
