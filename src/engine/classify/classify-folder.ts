// SPDX-License-Identifier: MIT
// classifyFolder: walk (streamed) -> content hash -> skip what the job already holds or reuse an
// earlier job's result for identical bytes -> decode in worker threads -> batches -> top-k.
// Results leave through the sink batch by batch, so a killed job loses at most two batches (one
// in inference, one being collected) and memory stays flat whatever the folder size.
import { stat } from 'node:fs/promises';
import { sha256File } from '../../platform/hash';
import { AppError } from '../../shared/errors';
import { getDecodePool, maybePruneImageCache } from '../data/decode-pool';
import type { DecodeResponse } from '../data/pipeline-protocol';
import type { SkipCode } from '../data/types';
import { preprocessPixels } from '../zoo/preprocess';
import { createPredictor, type Predictor } from './predictor';
import { topK } from './topk';
import type { ClassifiedFile, ClassifyOptions, ProblemCode, ClassifyProgress, ClassifySummary, ResolvedModel, ResultSink } from './types';
import { countFolder, walkFolder } from './walk-stream';

function problem(relPath: string, sha256: string | null, code: ProblemCode, reason: string): ClassifiedFile {
  return { relPath, sha256, label: null, confidence: null, topk: [], unsure: false, problem: { code, reason } };
}

function checkOptions(o: ClassifyOptions, labels: number): { topK: number; threshold: number; batchSize: number } {
  const topKValue = o.topK ?? 5;
  const threshold = o.threshold ?? 0.5;
  const batchSize = o.batchSize ?? 16;
  if (!Number.isInteger(topKValue) || topKValue < 1) throw new AppError('INVALID_ARGUMENT', `--top-k must be a whole number ≥ 1. Received: ${o.topK}.`, { received: o.topK });
  if (!(threshold >= 0 && threshold <= 1)) throw new AppError('INVALID_ARGUMENT', `--threshold must be a probability from 0 to 1. Received: ${o.threshold}.`, { received: o.threshold });
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024) throw new AppError('INVALID_ARGUMENT', `batchSize must be a whole number from 1 to 1024. Received: ${o.batchSize}.`, { received: o.batchSize });
  return { topK: Math.min(topKValue, labels), threshold, batchSize };
}

/**
 * Classifies every image of `opts.root` (sub-folders too when `recursive`) with `model`, writing
 * each result to `sink` as it is produced. Files `sink.has` already are skipped (resume); files
 * whose bytes an earlier job classified are copied from `sink.reuse`.
 * @throws AppError CANCELLED when `opts.signal` aborts (results so far are already in the sink),
 *   NOT_FOUND for a missing folder, INVALID_ARGUMENT for bad options, and model loading errors.
 */
export async function classifyFolder(model: ResolvedModel, sink: ResultSink, opts: ClassifyOptions): Promise<ClassifySummary> {
  const { topK: k, threshold, batchSize } = checkOptions(opts, model.labels.length);
  const started = performance.now();
  const total = await countFolder(opts.root, { recursive: opts.recursive, signal: opts.signal });
  // The session opens (or the model converts) while the first files are hashed and decoded.
  const predictorReady = createPredictor(model, { engine: opts.engine, onnxCacheDir: opts.onnxCacheDir });
  predictorReady.catch(() => undefined);
  let predictor: Predictor | undefined;
  const ready = async (): Promise<Predictor> => {
    predictor ??= await predictorReady;
    p.engine = predictor.engine;
    return predictor;
  };
  const s = model.inputSize;
  const px = s * s * 3;
  const pool = getDecodePool(opts.workerUrl);
  const decode = { width: s, height: s, interpolation: opts.interpolation ?? 'bilinear' } as const;
  const p: ClassifyProgress = { done: 0, total, classified: 0, reused: 0, resumed: 0, problems: 0, unsure: 0, counts: {}, imagesPerSec: 0, etaSeconds: null, elapsedSeconds: 0, engine: opts.engine === 'tfjs' ? 'tfjs' : 'onnxruntime' };
  let inferenceMs = 0;
  let lastProgress = 0;
  const progressMs = opts.progressMs ?? 500;
  const pendingWrites: ClassifiedFile[] = [];

  const snapshot = (): ClassifyProgress => {
    const elapsed = (performance.now() - started) / 1000;
    const work = p.classified + p.reused + p.problems;
    const rate = elapsed > 0 ? work / elapsed : 0;
    const left = Math.max(0, p.total - p.done);
    return { ...p, counts: { ...p.counts }, elapsedSeconds: elapsed, imagesPerSec: rate, etaSeconds: rate > 0 ? left / rate : null };
  };
  const tick = (force = false) => {
    const now = performance.now();
    // No progress before the engine is known, so none names a guessed one.
    if (!opts.onProgress || !predictor || (!force && now - lastProgress < progressMs)) return;
    lastProgress = now;
    opts.onProgress(snapshot());
  };
  const record = (r: ClassifiedFile, kind: 'classified' | 'reused' | 'problem') => {
    p.done++;
    if (kind === 'problem') p.problems++;
    else {
      p[kind]++;
      if (r.unsure) p.unsure++;
      const key = r.unsure ? 'unsure' : (r.label as string);
      p.counts[key] = (p.counts[key] ?? 0) + 1;
    }
    pendingWrites.push(r);
  };
  const flushWrites = () => {
    // Nothing reaches the sink before the model has loaded: a model that fails writes no rows.
    if (!pendingWrites.length || !predictor) return;
    sink.write(pendingWrites);
    pendingWrites.length = 0;
  };

  let batch: { rel: string; sha256: string }[] = [];
  let x = new Float32Array(batchSize * px);
  // One batch runs in ONNX Runtime (off this thread) while this loop hashes, collects and
  // preprocesses the next: awaiting each run inline left the walk, the hashing and the batch
  // assembly serial with inference (measured: 224 px files, ~7 of 15 ms per image outside
  // session.run). Runs stay one at a time and their results are recorded in batch order.
  let inflight: Promise<void> | undefined;
  const settle = async () => {
    const p = inflight;
    inflight = undefined;
    if (p) await p;
  };
  const runBatch = async () => {
    if (!batch.length) return;
    const engine = await ready();
    await settle();
    const items = batch;
    const n = items.length;
    const xb = n === batchSize ? x : x.subarray(0, n * px);
    batch = [];
    x = new Float32Array(batchSize * px);
    const t0 = performance.now();
    inflight = engine.predict(xb, n).then((probs) => {
      inferenceMs += performance.now() - t0;
      const c = model.labels.length;
      items.forEach((b, i) => {
        const top = topK(probs.subarray(i * c, (i + 1) * c), model.labels, k);
        const conf = top[0].p;
        record({ relPath: b.rel, sha256: b.sha256, label: top[0].label, confidence: conf, topk: top, unsure: conf < threshold, problem: null }, 'classified');
      });
      flushWrites();
    });
    // A failed run is rethrown by the next settle(); until then it must not count as unhandled.
    inflight.catch(() => undefined);
  };
  const accept = async (rel: string, sha256: string, res: DecodeResponse) => {
    if (!res.ok) {
      const code = (res.error.details?.skipCode as SkipCode | undefined) ?? 'CORRUPT';
      record(problem(rel, sha256, code, res.error.message), 'problem');
      return;
    }
    const at = batch.length * px;
    preprocessPixels(res.data, model.preprocess, 3, x.subarray(at, at + px));
    batch.push({ rel, sha256 });
    if (batch.length === batchSize) await runBatch();
  };

  // Decoded-or-decoding images waiting: enough to keep the pool busy during inference (decode
  // overlaps inference), bounded so memory stays flat; `workers` caps this job's share of the pool.
  const window = Math.max(1, Math.min(Math.max(batchSize * 2, pool.capacity), opts.workers ? opts.workers * 2 : Infinity));
  const queue: { rel: string; sha256: string; res: Promise<DecodeResponse> }[] = [];
  const drainOne = async () => {
    const head = queue.shift()!;
    await accept(head.rel, head.sha256, await head.res);
    tick();
  };
  try {
    for await (const e of walkFolder(opts.root, { recursive: opts.recursive, signal: opts.signal })) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', `Classifying ${opts.root} was cancelled.`);
      if (sink.has(e.rel)) {
        p.resumed++;
        p.done++;
        continue;
      }
      if (e.kind === 'skip') {
        record(problem(e.rel, null, e.code, e.reason), 'problem');
        if (pendingWrites.length >= 64) flushWrites();
        continue;
      }
      let sha256: string;
      try {
        if ((await stat(e.abs)).size === 0) throw Object.assign(new Error('empty'), { code: 'EMPTY' });
        sha256 = await sha256File(e.abs);
      } catch (err) {
        const empty = (err as NodeJS.ErrnoException).code === 'EMPTY';
        record(
          empty ? problem(e.rel, null, 'EMPTY', `${e.rel}: The file is empty (0 bytes).`) : problem(e.rel, null, 'UNREADABLE', `${e.rel}: This file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`),
          'problem',
        );
        continue;
      }
      const prior = sink.reuse(e.rel, sha256);
      if (prior && prior.topk.length >= k) {
        const top = prior.topk.slice(0, k);
        record({ ...prior, relPath: e.rel, sha256, topk: top, unsure: (prior.confidence ?? 0) < threshold }, 'reused');
        if (pendingWrites.length >= 64) flushWrites();
        tick();
        continue;
      }
      queue.push({ rel: e.rel, sha256, res: pool.decode({ file: e.abs, decode, seed: 0, sha256, cacheDir: opts.imageCacheDir }) });
      while (queue.length >= window) await drainOne();
    }
    while (queue.length) await drainOne();
    await runBatch();
    await settle();
    // A model that cannot load fails the job even when nothing was left to classify.
    await ready();
    flushWrites();
  } catch (err) {
    // Reused results, problems and the batch already in ONNX Runtime are kept, so a resume does not redo them.
    if (AppError.is(err, 'CANCELLED')) {
      await settle().catch(() => undefined);
      predictor ??= await predictorReady.catch(() => undefined);
      flushWrites();
    }
    throw err;
  } finally {
    // The session is released below, so no run may still be using it.
    await inflight?.catch(() => undefined);
    await Promise.allSettled(queue.map((q) => q.res));
    if (opts.imageCacheDir) maybePruneImageCache(opts.imageCacheDir, pool.stats.wroteBytes);
    await (await predictorReady.catch(() => undefined))?.dispose();
  }
  tick(true);
  const done = await ready();
  return { ...snapshot(), engine: done.engine, fallbackReason: done.fallbackReason, inferenceSeconds: inferenceMs / 1000 };
}
