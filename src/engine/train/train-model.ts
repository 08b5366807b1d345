// SPDX-License-Identifier: MIT
// trainModel: backbone + new head, Keras's two-phase recipe (head only, then the top blocks at a
// lower learning rate), end-of-epoch checkpoints with resume, and an evaluation at the end.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { evaluateModel } from '../eval/evaluate';
import type { Evaluation } from '../eval/metrics';
import { loadBestWeights, loadLatestCheckpoint, modelWeightEntries, saveBestWeights, setModelWeightEntries, type NamedTensor } from './checkpoint';
import { inferenceLayersOf } from './forward';
import { backboneBlocks, freezeUntilBlock, unfreezeTopBlocks } from './freeze';
import { attachHead, isHeadLayer } from './head';
import { balancedClassWeights } from './loss';
import { createOptimizer } from './optimizer';
import { DEFAULT_SEED, zooBackboneLoader } from './backbone-loader';
import { Rng } from './rng';
import { runPhase, type MutableLoopState, type PhasePlan } from './trainer';
import type { BatchSource, BatchSourceLike, EpochRecord, Phase, TrainConfig, TrainData, TrainHooks } from './types';

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochRecord[];
  /** On the test split when given, else on validation; null without either. */
  evaluation: Evaluation | null;
  /** Best validation loss and where it was reached (the returned model has these weights). */
  best: { valLoss: number; phase: Phase; epoch: number } | null;
  /** True when the run started from a checkpoint. */
  resumed: boolean;
  /** The dropout RNG's state at the end, so a phase trained by a later call continues the sequence. */
  rngState: number;
}

/**
 * Where a run continues from when an earlier call trained phase 1 on another split of the same
 * model (engine/train/image-train.ts re-splits at the fine-tuning boundary): phase 1 is skipped,
 * the head starts from `headWeights`, and history, best and the RNG carry on as if in one call.
 */
export interface PhaseStart {
  phase: 2;
  history: EpochRecord[];
  best: TrainResult['best'];
  rngState: number;
  /** Head layer name -> weights (getWeights order). */
  headWeights: Map<string, tf.Tensor[]>;
}

/** Normalises a source: plain async iterables are re-iterated every epoch. */
export function toBatchSource(like: BatchSourceLike): BatchSource {
  if (typeof (like as BatchSource).epoch === 'function') return like as BatchSource;
  const iterable = like as AsyncIterable<never>;
  return { size: like.size, classCounts: like.classCounts, epoch: () => iterable };
}

function fingerprint(config: TrainConfig, numClasses: number): string {
  const keyFields = { b: config.backbone, w: config.weights ?? null, n: numClasses, s: config.imageSize, h: config.head ?? {}, f: config.freezeUntil ?? 'all', o: config.optimizer ?? 'adam', ft: config.fineTune?.blocks ?? 0 };
  return createHash('sha256').update(JSON.stringify(keyFields)).digest('hex').slice(0, 16);
}

function resolveClassWeights(config: TrainConfig, train: BatchSource, numClasses: number): number[] | undefined {
  const cw = config.classWeights;
  if (cw === undefined) return undefined;
  if (cw === 'balanced') {
    if (!train.classCounts) {
      throw new AppError('INVALID_ARGUMENT', "classWeights 'balanced' needs the training source's classCounts. Pass explicit weights or a source that reports counts.");
    }
    return balancedClassWeights(train.classCounts);
  }
  if (cw.length !== numClasses || cw.some((w) => !(w >= 0))) {
    throw new AppError('INVALID_ARGUMENT', `classWeights must hold ${numClasses} non-negative numbers. Received: ${JSON.stringify(cw)}.`, { received: cw });
  }
  return cw;
}

function validate(config: TrainConfig): void {
  const bad = (field: string, value: unknown, want: string) => {
    throw new AppError('INVALID_ARGUMENT', `TrainConfig.${field} must be ${want}. Received: ${JSON.stringify(value)}.`, { field, received: value });
  };
  if (!Number.isInteger(config.epochs) || config.epochs < 1) bad('epochs', config.epochs, 'an integer >= 1');
  if (config.lr !== undefined && !(config.lr > 0)) bad('lr', config.lr, 'a positive number');
  if (config.labelSmoothing !== undefined && !(config.labelSmoothing >= 0 && config.labelSmoothing < 1)) bad('labelSmoothing', config.labelSmoothing, 'in [0, 1)');
  if (config.fineTune && (!Number.isInteger(config.fineTune.epochs) || config.fineTune.epochs < 0)) bad('fineTune.epochs', config.fineTune.epochs, 'an integer >= 0');
  if (config.fineTune?.lr !== undefined && !(config.fineTune.lr > 0)) bad('fineTune.lr', config.fineTune.lr, 'a positive number');
}

/**
 * Trains a classifier: phase 1 trains the head on a frozen backbone (`freezeUntil`), phase 2
 * (when `fineTune.epochs` > 0) unfreezes the top `fineTune.blocks` blocks at `fineTune.lr`
 * (default lr × 0.1). The returned model carries the best weights by validation loss.
 * @throws AppError CANCELLED (signal), INVALID_ARGUMENT (config), CONFLICT (checkpoint of another config).
 */
export async function trainModel(config: TrainConfig, data: TrainData, hooks: TrainHooks = {}, start?: PhaseStart): Promise<TrainResult> {
  validate(config);
  const train = toBatchSource(data.train);
  const val = data.val ? toBatchSource(data.val) : undefined;
  const test = data.test ? toBatchSource(data.test) : undefined;
  const numClasses = data.classNames?.length ?? config.numClasses;
  if (!numClasses) throw new AppError('INVALID_ARGUMENT', 'The number of classes is unknown: pass data.classNames or config.numClasses.');
  const seed = config.seed ?? DEFAULT_SEED;
  const backbone = await (hooks.loadBackbone ?? zooBackboneLoader())(config);
  const imageSize = config.imageSize ?? (backbone.model.inputs[0].shape[1] as number);
  const model = attachHead(backbone.model, { numClasses, seed, ...config.head });
  const bnInference = config.bnInference ?? backbone.pretrained;
  const backboneLayers = new Set(model.layers.filter((l) => !isHeadLayer(l.name)).map((l) => l.name));
  const loss = { numClasses, labelSmoothing: config.labelSmoothing, classWeights: resolveClassWeights(config, train, numClasses) };
  const rng = new Rng(seed);
  const lr1 = config.lr ?? 1e-3;
  const print = fingerprint(config, numClasses);
  let state: MutableLoopState = { phase: 1, epochsDone: 0, step: 0, wait: 0, phaseFinished: false, best: null, history: [], rngState: rng.state, fingerprint: print };
  const bestWeights: { current: NamedTensor[] | null } = { current: null };
  let resumedSlots: { name: string; tensor: tf.Tensor }[] | null = null;
  let resumed = false;

  if (start) {
    for (const [name, weights] of start.headWeights) model.getLayer(name).setWeights(weights);
    state = { ...state, phase: start.phase, history: [...start.history], best: start.best, rngState: start.rngState };
    rng.state = start.rngState;
    if (start.best) {
      // The best so far is phase 1's result, which is what the model holds now.
      bestWeights.current = modelWeightEntries(model).map((e) => ({ name: e.name, tensor: e.tensor.clone() }));
      if (hooks.checkpointDir) await saveBestWeights(hooks.checkpointDir, model);
    }
  }

  if (hooks.resume && hooks.checkpointDir) {
    const ckpt = await loadLatestCheckpoint(hooks.checkpointDir);
    if (ckpt) {
      if (ckpt.state.fingerprint !== print) {
        tf.dispose([...ckpt.weights, ...ckpt.optimizer].map((e) => e.tensor));
        throw new AppError('CONFLICT', `The checkpoint in ${hooks.checkpointDir} was written by a run with a different backbone, weights, classes, image size, head, optimizer or freezing. Resume with the same settings or use a new checkpoint directory.`, { checkpoint: ckpt.path });
      }
      setModelWeightEntries(model, ckpt.weights, ckpt.path);
      tf.dispose(ckpt.weights.map((e) => e.tensor));
      const { optimizer: _slots, version: _v, ...rest } = ckpt.state;
      state = rest;
      rng.state = state.rngState;
      resumedSlots = ckpt.optimizer;
      const best = await loadBestWeights(hooks.checkpointDir);
      if (best) {
        tf.dispose((bestWeights.current ?? []).map((e) => e.tensor));
        bestWeights.current = best;
      }
      resumed = true;
    }
  }

  const ftEpochs = config.fineTune?.epochs ?? 0;
  const phases: { phase: Phase; epochs: number; lr: number; freeze: () => void }[] = [
    { phase: 1, epochs: config.epochs, lr: lr1, freeze: () => freezeUntilBlock(model, backbone.blockOf, config.freezeUntil ?? 'all') },
  ];
  if (ftEpochs > 0) {
    const blocks = config.fineTune?.blocks ?? backboneBlocks(model, backbone.blockOf).length;
    phases.push({ phase: 2, epochs: ftEpochs, lr: config.fineTune?.lr ?? lr1 * 0.1, freeze: () => unfreezeTopBlocks(model, backbone.blockOf, blocks) });
  }

  try {
    for (const p of phases) {
      if (p.phase < state.phase) continue;
      if (p.phase > state.phase) {
        if (bestWeights.current) setModelWeightEntries(model, bestWeights.current, 'best weights');
        // Slots from a checkpoint belong to the finished phase's optimizer, not to this one.
        if (resumedSlots) tf.dispose(resumedSlots.map((s) => s.tensor));
        resumedSlots = null;
        state = { ...state, phase: p.phase, epochsDone: 0, step: 0, wait: 0, phaseFinished: false };
      }
      if (state.phaseFinished) continue;
      p.freeze();
      const optimizer = createOptimizer(config.optimizer ?? 'adam', p.lr, config.momentum);
      if (resumedSlots) {
        await optimizer.optimizer.setWeights(resumedSlots);
        tf.dispose(resumedSlots.map((s) => s.tensor));
        resumedSlots = null;
      }
      const inferenceLayers = inferenceLayersOf(model, bnInference ? backboneLayers : undefined);
      const plan: PhasePlan = {
        phase: p.phase,
        epochs: p.epochs,
        optimizer,
        patience: config.patience ?? 0,
        schedule: { schedule: config.schedule ?? 'constant', baseLr: p.lr, warmupEpochs: config.warmupEpochs, stepEvery: config.stepEvery, stepGamma: config.stepGamma },
      };
      const laterEpochs = phases.filter((q) => q.phase > p.phase).reduce((n, q) => n + q.epochs, 0);
      try {
        await runPhase({ model, train, val, imageSize, preprocess: backbone.preprocess, loss, rng, hooks, state, inferenceLayers, laterEpochs, bestWeights }, plan);
      } finally {
        optimizer.optimizer.dispose();
      }
    }
    if (bestWeights.current) setModelWeightEntries(model, bestWeights.current, 'best weights');
  } finally {
    tf.dispose((bestWeights.current ?? []).map((e) => e.tensor));
    if (resumedSlots) tf.dispose(resumedSlots.map((s) => s.tensor));
  }
  for (const layer of model.layers) layer.trainable = true;
  const evalSource = test ?? val;
  const evaluation = evalSource ? await evaluateModel(model, evalSource, { imageSize, numClasses, classNames: data.classNames, signal: hooks.signal, preprocess: backbone.preprocess }) : null;
  return { model, history: state.history, evaluation, best: state.best, resumed, rngState: rng.state };
}
