// SPDX-License-Identifier: MIT
// Training with a frozen backbone, the fast way (issue 7): the part that stays frozen in every
// phase runs once per image on ONNX Runtime and its outputs go to the feature cache; trainModel
// then trains only the layers above the boundary on cached features (TF.js), and the trained
// layers are put back on the full backbone so the result is the same model the pure path gives.
import { createRequire } from 'node:module';
import os from 'node:os';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { AugmentConfig } from '../data/augment';
import type { DecodeOptions } from '../data/decode';
import { convertToOnnx, splitModel } from '../onnx/index';
import { featureCacheDir } from '../../platform/paths';
import { DEFAULT_SEED, zooBackboneLoader } from '../train/backbone-loader';
import { pipelineSource } from '../train/data-source';
import { backboneBlocks, type Block } from '../train/freeze';
import { attachHead, isHeadLayer } from '../train/head';
import { trainModel, type TrainResult } from '../train/train-model';
import type { Backbone, TrainConfig, TrainHooks } from '../train/types';
import { FeatureCache, type FeatureCacheKey } from './cache';
import { extractFeatures, withContentHashes, type ExtractStats, type FeatureItem } from './extract';
import { featureSource } from './source';

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
  /** Seed of the per-epoch shuffle (default config.seed, else 42). */
  shuffleSeed?: number;
  decode?: Omit<DecodeOptions, 'width' | 'height' | 'output'>;
  /** Any augmentation changes the frozen part's input every epoch, so it turns the fast path off. */
  augment?: AugmentConfig;
  /** Decode threads (default 2). */
  workers?: number;
}

export interface FastPathOptions {
  /** 'auto' (default): fast path where it applies; 'off': pure TF.js; 'on': fail where it does not apply. */
  mode?: 'auto' | 'on' | 'off';
  /** Default featureCacheDir(). */
  cacheDir?: string;
  /** Images per ONNX Runtime call (default 64). */
  extractBatch?: number;
  onExtract?: (p: { done: number; total: number; imagesPerSec: number }) => void;
}

export interface FastPathReport {
  /** Last layer of the frozen part. */
  boundary: string;
  /** The cache holds pooled vectors (whole backbone frozen). */
  pooling: 'avg' | 'max' | null;
  frozenBlocks: string[];
  trainableBlocks: string[];
  cacheDir: string;
  featureShape: number[];
  extract: ExtractStats;
}

export interface ImageTrainResult extends TrainResult {
  /** What ran where, for runs.engine_notes. */
  engineNotes: string;
  fastPath: FastPathReport | null;
  /** Why the fast path was not used (null when it was). */
  fastPathOff: string | null;
}

/** How many bottom blocks stay frozen in every phase of `config` (0 = none, blocks.length = all). */
export function alwaysFrozenBlocks(blocks: readonly Block[], config: TrainConfig): number {
  const until = config.freezeUntil ?? 'all';
  let n = until === 'all' ? blocks.length : until === 'none' ? 0 : blocks.findIndex((b) => b.name === until) + 1;
  const ft = config.fineTune;
  if (ft && ft.epochs > 0) n = Math.min(n, Math.max(0, blocks.length - (ft.blocks ?? blocks.length)));
  return n;
}

interface Plan {
  frozen: Uint8Array;
  trainable: tf.LayersModel;
  boundary: string;
  pooling: 'avg' | 'max' | null;
  featureShape: number[];
  frozenBlocks: string[];
  trainableBlocks: string[];
}

/** The whole backbone is frozen: the cache holds the pooled vector, the trainable part only reshapes it. */
function pooledPlan(bb: Backbone, pooling: 'avg' | 'max', blocks: Block[]): Plan {
  const out = bb.model.outputs[0];
  let features = out;
  if (out.shape.length === 4) {
    const Pool = pooling === 'max' ? tf.layers.globalMaxPooling2d : tf.layers.globalAveragePooling2d;
    features = Pool({ name: 'frozen_pool' }).apply(out) as tf.SymbolicTensor;
  }
  const pooled = tf.model({ inputs: bb.model.inputs, outputs: features, name: `${bb.model.name}_frozen` });
  const c = features.shape[1] as number;
  const input = tf.input({ shape: [1, 1, c], name: 'pooled_features' });
  const flat = tf.layers.reshape({ targetShape: [c], name: 'pooled_features_flat' }).apply(input) as tf.SymbolicTensor;
  const boundary = bb.model.layers[bb.model.layers.length - 1].name;
  return {
    frozen: convertToOnnx(pooled, { metadata: { freezeBoundary: boundary, pooling } }),
    trainable: tf.model({ inputs: input, outputs: flat, name: `${bb.model.name}_pooled` }),
    boundary,
    pooling: out.shape.length === 4 ? pooling : null,
    featureShape: [1, 1, c],
    frozenBlocks: blocks.map((b) => b.name),
    trainableBlocks: [],
  };
}

/** Cuts at the last layer of the frozen blocks that every path crosses (walking down from the top). */
function splitPlan(bb: Backbone, blocks: Block[], n: number): Plan | null {
  const frozenLayers = blocks.slice(0, n).flatMap((b) => b.layers);
  for (let i = frozenLayers.length - 1; i >= 0; i--) {
    let split;
    try {
      split = splitModel(bb.model, frozenLayers[i]);
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_ARGUMENT') continue;
      throw err;
    }
    // The trainable part's input layer takes a block name from the boundary's name; it holds no weights.
    const trainableBlocks = backboneBlocks(split.head, bb.blockOf)
      .filter((b) => b.layers.some((l) => split.head.getLayer(l).getClassName() !== 'InputLayer')).map((b) => b.name);
    return {
      frozen: split.frozen,
      trainable: split.head,
      boundary: frozenLayers[i],
      pooling: null,
      featureShape: split.boundaryShape.slice(1) as number[],
      frozenBlocks: blocks.slice(0, n).map((b) => b.name),
      trainableBlocks,
    };
  }
  return null;
}

/** freezeUntil in terms of the trainable part: blocks entirely below the boundary no longer exist there. */
function mapFreezeUntil(until: string | undefined, trainableBlocks: readonly string[]): string {
  if (until === undefined || until === 'all' || until === 'none') return until ?? 'all';
  return trainableBlocks.includes(until) ? until : 'none';
}

/** True when `a` changes pixels at all (an all-off config does not). */
export function augments(a: AugmentConfig | undefined): boolean {
  return !!a && !!(a.flipHorizontal || a.flipVertical || a.randomResizedCrop || (a.rotation ?? 0) > 0 || (a.brightness ?? 0) > 0 || (a.contrast ?? 0) > 0);
}

function poolingOf(config: TrainConfig): 'avg' | 'max' {
  return config.head?.pooling ?? 'avg';
}

/**
 * Trains like trainModel, from image files. Where the backbone's bottom blocks stay frozen in
 * every phase and no augmentation applies, they run on ONNX Runtime once per image (cached on
 * disk, so the next run with the same data starts at once) and only the layers above train in
 * TF.js; otherwise the whole model trains in TF.js from the decode pipeline. The result carries
 * the full model either way, and `engineNotes` says which engine ran what.
 * @throws AppError as trainModel; INVALID_ARGUMENT when `opts.mode` is 'on' and the fast path does not apply.
 */
export async function trainOnImages(config: TrainConfig, data: ImageTrainData, hooks: TrainHooks = {}, opts: FastPathOptions = {}): Promise<ImageTrainResult> {
  const numClasses = data.classNames?.length ?? config.numClasses;
  const bb = await (hooks.loadBackbone ?? zooBackboneLoader())(config);
  const imageSize = config.imageSize ?? (bb.model.inputs[0].shape[1] as number);
  const batchSize = data.batchSize ?? config.batch ?? 32;
  const shuffleSeed = data.shuffleSeed ?? config.seed ?? DEFAULT_SEED;
  const blocks = backboneBlocks(bb.model, bb.blockOf);
  const n = alwaysFrozenBlocks(blocks, config);
  const ftEpochs = config.fineTune?.epochs ?? 0;

  let off: string | null = null;
  if (opts.mode === 'off') off = 'turned off';
  else if (augments(data.augment)) off = 'augmentation changes the frozen layers’ input every epoch';
  else if (!bb.preprocessMode) off = 'the backbone loader does not name its preprocessing';
  else if (n === 0) off = 'no block stays frozen in every phase';
  let plan: Plan | null = null;
  if (!off) {
    plan = n === blocks.length && ftEpochs === 0 ? pooledPlan(bb, poolingOf(config), blocks) : splitPlan(bb, blocks, n);
    if (!plan) off = 'no layer of the frozen blocks is a cut point';
  }
  if (off || !plan) {
    if (opts.mode === 'on') throw new AppError('INVALID_ARGUMENT', `The feature fast path does not apply: ${off}. Use mode 'auto' or 'off'.`, { reason: off });
    return trainPure(config, data, hooks, bb, { imageSize, batchSize, shuffleSeed, numClasses, off: off ?? 'no plan' });
  }

  const cacheDir = opts.cacheDir ?? featureCacheDir();
  const key: FeatureCacheKey = {
    model: config.backbone,
    weights: bb.weightsId ?? 'unnamed',
    boundary: plan.boundary,
    pooling: plan.pooling,
    preprocess: bb.preprocessMode as string,
    inputSize: [imageSize, imageSize],
    decode: { ...data.decode },
    frozenSha256: createHash('sha256').update(plan.frozen).digest('hex'),
  };
  const cache = FeatureCache.open(cacheDir, key, plan.featureShape);
  try {
    const [train, val, test] = await Promise.all([data.train, data.val, data.test].map((s) => (s ? withContentHashes(s, data.root) : Promise.resolve(undefined))));
    const all = [...(train ?? []), ...(val ?? []), ...(test ?? [])];
    const extract = await extractFeatures({
      frozen: plan.frozen, cache, items: all, root: data.root, imageSize, preprocess: bb.preprocessMode!, decode: data.decode,
      batchSize: opts.extractBatch, workers: data.workers, signal: hooks.signal, onProgress: opts.onExtract,
    });
    const src = (items: FeatureItem[] | undefined, shuffle: boolean) => (items ? featureSource(cache, items, { batchSize, shuffle, seed: shuffleSeed, numClasses }) : undefined);
    const trainable: Backbone = { model: plan.trainable, blockOf: bb.blockOf, pretrained: bb.pretrained };
    const result = await trainModel(
      { ...config, freezeUntil: mapFreezeUntil(config.freezeUntil, plan.trainableBlocks) },
      { train: src(train, true)!, val: src(val, false), test: src(test, false), classNames: data.classNames },
      { ...hooks, loadBackbone: async () => trainable },
    );
    const model = reattach(bb, result.model, config, numClasses!);
    const report: FastPathReport = { boundary: plan.boundary, pooling: plan.pooling, frozenBlocks: plan.frozenBlocks, trainableBlocks: plan.trainableBlocks, cacheDir: cache.dir, featureShape: plan.featureShape, extract };
    return { ...result, model, engineNotes: fastNotes(report), fastPath: report, fastPathOff: null };
  } finally {
    cache.close();
  }
}

/** The trained head on the full backbone (the layers above the boundary are shared, so already trained). */
function reattach(bb: Backbone, trained: tf.LayersModel, config: TrainConfig, numClasses: number): tf.LayersModel {
  const full = attachHead(bb.model, { numClasses, seed: config.seed ?? DEFAULT_SEED, ...config.head });
  for (const layer of trained.layers) {
    if (!isHeadLayer(layer.name)) continue;
    if (layer.weights.length) full.getLayer(layer.name).setWeights(layer.getWeights());
    layer.dispose();
  }
  return full;
}

function fastNotes(r: FastPathReport): string {
  const frozen = r.frozenBlocks.length > 1 ? `${r.frozenBlocks[0]}…${r.frozenBlocks[r.frozenBlocks.length - 1]}` : r.frozenBlocks[0];
  const cut = r.pooling ? `${r.boundary} + ${r.pooling} pooling` : r.boundary;
  const trainable = r.trainableBlocks.length ? `${r.trainableBlocks[0]}…${r.trainableBlocks[r.trainableBlocks.length - 1]} + head` : 'head';
  const e = r.extract;
  return `frozen part (${frozen}, up to ${cut}): onnxruntime-node ${ORT_VERSION} CPU, ${os.availableParallelism()} threads; features cached (${e.cached} reused, ${e.extracted} extracted${e.extracted ? ` at ${e.imagesPerSec.toFixed(0)} img/s` : ''}); trainable part (${trainable}): tfjs ${tf.getBackend()}`;
}

async function trainPure(
  config: TrainConfig,
  data: ImageTrainData,
  hooks: TrainHooks,
  bb: Backbone,
  o: { imageSize: number; batchSize: number; shuffleSeed: number; numClasses?: number; off: string },
): Promise<ImageTrainResult> {
  const decode = { ...data.decode, width: o.imageSize, height: o.imageSize };
  const src = (items: readonly FeatureItem[] | undefined, train: boolean) =>
    items ? pipelineSource({ items, root: data.root, batchSize: o.batchSize, decode, shuffle: train, seed: o.shuffleSeed, augment: train ? data.augment : undefined, workers: data.workers }, o.numClasses) : undefined;
  const result = await trainModel(config, { train: src(data.train, true)!, val: src(data.val, false), test: src(data.test, false), classNames: data.classNames }, { ...hooks, loadBackbone: async () => bb });
  return { ...result, engineNotes: `whole model: tfjs ${tf.getBackend()} (feature fast path off: ${o.off})`, fastPath: null, fastPathOff: o.off };
}
