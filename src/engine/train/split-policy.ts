// SPDX-License-Identifier: MIT
// Where a training run splits its model: the blocks frozen in a phase run on ONNX Runtime (as one
// exported graph), the layers above train in TF.js. Phase 1 of the default recipe freezes the
// whole backbone, so its cut is after pooling; phase 2 unfreezes the top blocks and cuts lower.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { AugmentConfig } from '../data/augment';
import { convertToOnnx, splitModel } from '../onnx/index';
import { DEFAULT_SEED } from './backbone-loader';
import { backboneBlocks, type Block } from './freeze';
import { attachHead, isHeadLayer } from './head';
import type { Backbone, TrainConfig } from './types';

/** One split of a backbone: the frozen part as ONNX bytes, the trainable part as a TF.js model. */
export interface SplitPlan {
  frozen: Uint8Array;
  trainable: tf.LayersModel;
  /** Last layer of the frozen part. */
  boundary: string;
  /** The frozen part ends with this global pooling (the whole backbone is frozen). */
  pooling: 'avg' | 'max' | null;
  /** The frozen part's output per image, [h, w, c]. */
  featureShape: number[];
  frozenBlocks: string[];
  trainableBlocks: string[];
}

/** Blocks frozen in phase 1 (`freezeUntil`): 0 = none, blocks.length = all. */
export function phaseOneFrozenBlocks(blocks: readonly Block[], config: TrainConfig): number {
  const until = config.freezeUntil ?? 'all';
  return until === 'all' ? blocks.length : until === 'none' ? 0 : blocks.findIndex((b) => b.name === until) + 1;
}

/** How many bottom blocks stay frozen in every phase of `config` (0 = none, blocks.length = all). */
export function alwaysFrozenBlocks(blocks: readonly Block[], config: TrainConfig): number {
  let n = phaseOneFrozenBlocks(blocks, config);
  const ft = config.fineTune;
  if (ft && ft.epochs > 0) n = Math.min(n, Math.max(0, blocks.length - (ft.blocks ?? blocks.length)));
  return n;
}

/** True when `a` changes pixels at all (an all-off config does not). */
export function augments(a: AugmentConfig | undefined | null): boolean {
  return !!a && !!(a.flipHorizontal || a.flipVertical || a.randomResizedCrop || (a.rotation ?? 0) > 0 || (a.brightness ?? 0) > 0 || (a.contrast ?? 0) > 0);
}

/** The whole backbone is frozen: the frozen part ends with the head's pooling, the trainable part only reshapes. */
function pooledPlan(bb: Backbone, pooling: 'avg' | 'max', blocks: Block[]): SplitPlan {
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

/** Cuts at the last layer of the bottom `n` blocks that every path crosses (walking down from the top). */
function cutPlan(bb: Backbone, blocks: Block[], n: number): SplitPlan | null {
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

/**
 * The split with the bottom `n` blocks frozen: after pooling when `n` is every block and the
 * pooled vector is all that trains (`pooled`), else at a cut point inside the frozen blocks.
 * Returns null when no layer of the frozen blocks is a cut point.
 */
export function planSplit(bb: Backbone, config: TrainConfig, n: number, pooled: boolean): SplitPlan | null {
  const blocks = backboneBlocks(bb.model, bb.blockOf);
  if (n === blocks.length && pooled) return pooledPlan(bb, config.head?.pooling ?? 'avg', blocks);
  return cutPlan(bb, blocks, n);
}

/** freezeUntil in terms of the trainable part: blocks entirely below the boundary no longer exist there. */
export function mapFreezeUntil(until: string | undefined, trainableBlocks: readonly string[]): string {
  if (until === undefined || until === 'all' || until === 'none') return until ?? 'all';
  return trainableBlocks.includes(until) ? until : 'none';
}

/** Head layer name -> copies of the weights of a trained (trainable-part) model. */
export function headWeightsOf(model: tf.LayersModel): Map<string, tf.Tensor[]> {
  return new Map(model.layers.filter((l) => isHeadLayer(l.name) && l.weights.length).map((l) => [l.name, l.getWeights().map((t) => t.clone())]));
}

/** The trained head on the full backbone (the layers above the boundary are shared, so already trained). */
export function reattach(bb: Backbone, trained: tf.LayersModel, config: TrainConfig, numClasses: number): tf.LayersModel {
  const full = attachHead(bb.model, { numClasses, seed: config.seed ?? DEFAULT_SEED, ...config.head });
  for (const layer of trained.layers) {
    if (!isHeadLayer(layer.name)) continue;
    if (layer.weights.length) full.getLayer(layer.name).setWeights(layer.getWeights());
    layer.dispose();
  }
  return full;
}
