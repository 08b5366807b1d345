// SPDX-License-Identifier: MIT
// Training from image files, the split way (issue 16): in every phase the frozen blocks run on
// ONNX Runtime and only the layers above train in TF.js. Without augmentation the frozen part's
// outputs come from the feature cache (computed once per image); with augmentation the decode
// pipeline's augmented batches go through the frozen part every epoch, because augmentation
// happens on pixels, before the frozen layers (flips commute with convolutions only approximately,
// crops and rotations not at all, so there is no equivalent in feature space). Phase 2 of the
// two-phase recipe unfreezes the top blocks, so it re-splits lower. The trained layers are put
// back on the full backbone: the result is the model the pure TF.js path gives.
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as ort from 'onnxruntime-node';
import { AppError } from '../../shared/errors';
import type { AugmentConfig } from '../data/augment';
import type { DecodeOptions } from '../data/decode';
import { FeatureCache, type FeatureCacheKey } from '../features/cache';
import { extractFeatures, withContentHashes, type ExtractStats, type FeatureItem } from '../features/extract';
import { frozenFeatureSource } from '../features/frozen-source';
import { featureSource } from '../features/source';
import { getDecodePool } from '../data/decode-pool';
import { createSession } from '../onnx/runtime';
import { featureCacheDir } from '../../platform/paths';
import { DEFAULT_SEED, zooBackboneLoader } from './backbone-loader';
import { pipelineSource } from './data-source';
import { backboneBlocks } from './freeze';
import { isHeadLayer } from './head';
import { alwaysFrozenBlocks, augments, headWeightsOf, mapFreezeUntil, phaseOneFrozenBlocks, planSplit, reattach, type SplitPlan } from './split-policy';
import { trainModel, type PhaseStart, type TrainResult } from './train-model';
import type { Backbone, BatchSource, TrainConfig, TrainHooks } from './types';

export const ORT_VERSION = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;

/** A dataset as file lists (the scan's relative paths, labels and sha256), not as pixel sources. */
export interface ImageTrainData {
  root?: string;
  train: readonly FeatureItem[];
  val?: readonly FeatureItem[];
  test?: readonly FeatureItem[];
  classNames?: string[];
  /** Default config.batch, else 32. */
  batchSize?: number;
  /** Seed of the per-epoch shuffle and augmentation (default config.seed, else 42). */
  shuffleSeed?: number;
  decode?: Omit<DecodeOptions, 'width' | 'height' | 'output'>;
  /** Training-split augmentation (pixels, every epoch); validation and test are never augmented. */
  augment?: AugmentConfig | null;
  /** Decodes at once, times two (default: the decode pool's capacity). */
  workers?: number;
  /** The decoded-image cache folder (absent: every epoch decodes every file). */
  imageCacheDir?: string;
}

export interface ImageTrainOptions {
  /** 'auto' (default): split where it applies; 'off': pure TF.js; 'on': fail where it does not apply. */
  mode?: 'auto' | 'on' | 'off';
  /** Default featureCacheDir(). */
  cacheDir?: string;
  /** Images per ONNX Runtime call when filling the cache (default 64). */
  extractBatch?: number;
  onExtract?: (p: { done: number; total: number; imagesPerSec: number }) => void;
}
/** The earlier name of ImageTrainOptions. */
export type FastPathOptions = ImageTrainOptions;

/** One split of the run: which phases it trained and what ran where. */
export interface SplitReport {
  phases: (1 | 2)[];
  boundary: string;
  /** The frozen part ends with this pooling (whole backbone frozen). */
  pooling: 'avg' | 'max' | null;
  frozenBlocks: string[];
  trainableBlocks: string[];
  featureShape: number[];
  cacheDir: string;
  /** What fed the trainable part in training: cached features, or augmented batches run through ONNX Runtime every epoch. */
  trainFrom: 'cache' | 'augmented';
  /** Feature-cache fill for the splits the cache serves (validation and test always, training without augmentation). */
  extract: ExtractStats;
  /** Seconds inside ONNX Runtime on augmented training batches. */
  sessionSeconds: number;
  /** Decoded-image cache use during this split (every image read: training epochs and feature extraction). */
  imageCache?: { dir: string; hits: number; decodes: number };
}

export interface ImageTrainResult extends TrainResult {
  /** What ran where, for runs.engine_notes. */
  engineNotes: string;
  /** The splits in phase order (empty on the pure path). */
  splits: SplitReport[];
  /** Why the split path was not used (null when it was). */
  splitOff: string | null;
}

interface Run {
  config: TrainConfig;
  data: ImageTrainData;
  hooks: TrainHooks;
  opts: ImageTrainOptions;
  bb: Backbone;
  imageSize: number;
  batchSize: number;
  shuffleSeed: number;
  numClasses?: number;
}

/**
 * Trains like trainModel, from image files, with the model split at the freeze boundary of each
 * phase (see the file comment). Falls back to TF.js end to end only where no split applies (no
 * block frozen in every phase, a loader without a named preprocessing, no cut point), and says why.
 * @throws AppError as trainModel; INVALID_ARGUMENT when `opts.mode` is 'on' and no split applies.
 */
export async function trainOnImages(config: TrainConfig, data: ImageTrainData, hooks: TrainHooks = {}, opts: ImageTrainOptions = {}): Promise<ImageTrainResult> {
  const numClasses = data.classNames?.length ?? config.numClasses;
  const bb = await (hooks.loadBackbone ?? zooBackboneLoader())(config);
  const run: Run = {
    config, data, hooks, opts, bb, numClasses,
    imageSize: config.imageSize ?? (bb.model.inputs[0].shape[1] as number),
    batchSize: data.batchSize ?? config.batch ?? 32,
    shuffleSeed: data.shuffleSeed ?? config.seed ?? DEFAULT_SEED,
  };
  const blocks = backboneBlocks(bb.model, bb.blockOf);
  const n = alwaysFrozenBlocks(blocks, config);
  const n1 = phaseOneFrozenBlocks(blocks, config);
  const ftEpochs = config.fineTune?.epochs ?? 0;

  let off: string | null = null;
  if (opts.mode === 'off') off = 'turned off';
  else if (!bb.preprocessMode) off = 'the backbone loader does not name its preprocessing';
  else if (n === 0) off = 'no block stays frozen in every phase';
  let first: SplitPlan | null = null;
  let second: SplitPlan | null = null;
  if (!off) {
    // Phase 2 freezes fewer blocks than phase 1: two splits. Otherwise one split serves both.
    const resplit = ftEpochs > 0 && n1 > n;
    if (resplit) first = planSplit(bb, config, n1, true);
    second = planSplit(bb, config, n, ftEpochs === 0);
    if (!second || (resplit && !first)) off = 'no layer of the frozen blocks is a cut point';
  }
  if (off || !second) {
    if (opts.mode === 'on') throw new AppError('INVALID_ARGUMENT', `The split path does not apply: ${off}. Use mode 'auto' or 'off'.`, { reason: off });
    return trainPure(run, off ?? 'no plan');
  }

  const splits: SplitReport[] = [];
  let result: TrainResult;
  if (!first) {
    const r = await trainSplit(run, second, config, hooks.checkpointDir, undefined, ftEpochs > 0 ? [1, 2] : [1]);
    splits.push(r.report);
    result = r.result;
  } else {
    // Phase 1 checkpoints where a one-split run keeps them; phase 2's go to a folder of their own.
    const dir2 = hooks.checkpointDir ? path.join(hooks.checkpointDir, 'phase2') : undefined;
    const resumeTwo = !!(hooks.resume && dir2 && existsSync(path.join(dir2, 'LATEST')));
    let start: PhaseStart | undefined;
    let resumed = false;
    if (!resumeTwo) {
      const one = await trainSplit(run, first, { ...config, fineTune: undefined }, hooks.checkpointDir, undefined, [1], false);
      splits.push(one.report);
      const headWeights = headWeightsOf(one.result.model);
      start = { phase: 2, history: one.result.history, best: one.result.best, rngState: one.result.rngState, headWeights };
      resumed = one.result.resumed;
      disposeHead(one.result.model);
    }
    try {
      const two = await trainSplit(run, second, config, dir2, start, [2]);
      splits.push(two.report);
      result = { ...two.result, resumed: resumed || two.result.resumed };
    } finally {
      if (start) for (const ws of start.headWeights.values()) tf.dispose(ws);
    }
  }
  const model = reattach(bb, result.model, config, numClasses!);
  return { ...result, model, engineNotes: splitNotes(splits), splits, splitOff: null };
}

/** Frees the head layers of a trainable part (its other layers are the backbone's own). */
function disposeHead(model: tf.LayersModel): void {
  for (const layer of model.layers) if (isHeadLayer(layer.name)) layer.dispose();
}

async function trainSplit(
  run: Run,
  plan: SplitPlan,
  config: TrainConfig,
  checkpointDir: string | undefined,
  start: PhaseStart | undefined,
  phases: (1 | 2)[],
  withTest = true,
): Promise<{ result: TrainResult; report: SplitReport }> {
  const { data, bb, imageSize, batchSize, shuffleSeed, numClasses } = run;
  const augmented = augments(data.augment);
  const key: FeatureCacheKey = {
    model: run.config.backbone,
    weights: bb.weightsId ?? 'unnamed',
    boundary: plan.boundary,
    pooling: plan.pooling,
    preprocess: bb.preprocessMode as string,
    inputSize: [imageSize, imageSize],
    decode: { ...data.decode },
    frozenSha256: createHash('sha256').update(plan.frozen).digest('hex'),
  };
  const cache = FeatureCache.open(run.opts.cacheDir ?? featureCacheDir(), key, plan.featureShape);
  let session: ort.InferenceSession | undefined;
  const timing = { session: 0 };
  // This thread's pool serves only this run, so its counters are this split's.
  const pool = getDecodePool();
  const before = { ...pool.stats };
  try {
    const hash = (s: readonly FeatureItem[] | undefined) => (s ? withContentHashes(s, data.root) : Promise.resolve(undefined));
    const test = withTest ? data.test : undefined;
    // Augmented training images never repeat, so only validation and test go to the cache then.
    const [train, val, tst] = await Promise.all([augmented ? Promise.resolve(undefined) : hash(data.train), hash(data.val), hash(test)]);
    const extract = await extractFeatures({
      frozen: plan.frozen, cache, items: [...(train ?? []), ...(val ?? []), ...(tst ?? [])], root: data.root, imageSize, preprocess: bb.preprocessMode!,
      decode: data.decode, batchSize: run.opts.extractBatch, workers: data.workers, imageCacheDir: data.imageCacheDir, signal: run.hooks.signal, onProgress: run.opts.onExtract,
    });
    const cached = (items: FeatureItem[] | undefined, shuffle: boolean) => (items ? featureSource(cache, items, { batchSize, shuffle, seed: shuffleSeed, numClasses }) : undefined);
    let trainSource: BatchSource;
    if (augmented) {
      session = await createSession(plan.frozen);
      const pixels = pipelineSource({ items: data.train, root: data.root, batchSize, decode: { ...data.decode, width: imageSize, height: imageSize }, shuffle: true, seed: shuffleSeed, augment: data.augment ?? undefined, workers: data.workers, imageCacheDir: data.imageCacheDir }, numClasses);
      trainSource = frozenFeatureSource(pixels, { session, inputSize: [imageSize, imageSize], preprocess: bb.preprocessMode!, featureShape: plan.featureShape, onSessionTime: (s) => (timing.session += s) });
    } else {
      trainSource = cached(train, true)!;
    }
    const trainable: Backbone = { model: plan.trainable, blockOf: bb.blockOf, pretrained: bb.pretrained };
    const result = await trainModel(
      { ...config, freezeUntil: mapFreezeUntil(config.freezeUntil, plan.trainableBlocks) },
      { train: trainSource, val: cached(val, false), test: cached(tst, false), classNames: data.classNames },
      { ...run.hooks, checkpointDir, loadBackbone: async () => trainable },
      start,
    );
    const report: SplitReport = {
      phases, boundary: plan.boundary, pooling: plan.pooling, frozenBlocks: plan.frozenBlocks, trainableBlocks: plan.trainableBlocks,
      featureShape: plan.featureShape, cacheDir: cache.dir, trainFrom: augmented ? 'augmented' : 'cache', extract, sessionSeconds: timing.session,
      ...(data.imageCacheDir ? { imageCache: { dir: data.imageCacheDir, hits: pool.stats.hits - before.hits, decodes: pool.stats.misses - before.misses } } : {}),
    };
    return { result, report };
  } finally {
    cache.close();
    await session?.release();
  }
}

function splitNotes(splits: readonly SplitReport[]): string {
  return splits.map((r) => {
    const frozen = r.frozenBlocks.length > 1 ? `${r.frozenBlocks[0]}…${r.frozenBlocks[r.frozenBlocks.length - 1]}` : r.frozenBlocks[0];
    const cut = r.pooling ? `${r.boundary} + ${r.pooling} pooling` : r.boundary;
    const trainable = r.trainableBlocks.length ? `${r.trainableBlocks[0]}…${r.trainableBlocks[r.trainableBlocks.length - 1]} + head` : 'head';
    const e = r.extract;
    const fed = r.trainFrom === 'augmented'
      ? `augmented training batches through it every epoch (${r.sessionSeconds.toFixed(1)} s in ONNX Runtime), validation/test features cached (${e.cached} reused, ${e.extracted} extracted)`
      : `features cached (${e.cached} reused, ${e.extracted} extracted${e.extracted ? ` at ${e.imagesPerSec.toFixed(0)} img/s` : ''})`;
    const images = r.imageCache ? `; decoded-image cache ${r.imageCache.dir}: ${r.imageCache.hits} hits, ${r.imageCache.decodes} decodes` : '';
    return `phase ${r.phases.join('+')}: frozen part (${frozen}, up to ${cut}): onnxruntime-node ${ORT_VERSION} CPU, ${os.availableParallelism()} threads; ${fed}; trainable part (${trainable}): tfjs ${tf.getBackend()}${images}`;
  }).join('\n');
}

async function trainPure(run: Run, off: string): Promise<ImageTrainResult> {
  const { data, imageSize, batchSize, shuffleSeed, numClasses } = run;
  const decode = { ...data.decode, width: imageSize, height: imageSize };
  const src = (items: readonly FeatureItem[] | undefined, train: boolean) =>
    items ? pipelineSource({ items, root: data.root, batchSize, decode, shuffle: train, seed: shuffleSeed, augment: train ? (data.augment ?? undefined) : undefined, workers: data.workers, imageCacheDir: data.imageCacheDir }, numClasses) : undefined;
  const result = await trainModel(run.config, { train: src(data.train, true)!, val: src(data.val, false), test: src(data.test, false), classNames: data.classNames }, { ...run.hooks, loadBackbone: async () => run.bb });
  return { ...result, engineNotes: `whole model: tfjs ${tf.getBackend()} (split path off: ${off})`, splits: [], splitOff: off };
}
