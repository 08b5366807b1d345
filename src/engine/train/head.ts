// SPDX-License-Identifier: MIT
// The new classifier on top of a notop backbone, built flat (backbone layers and head layers
// in one graph) so the per-layer forward pass and per-block freezing reach every layer.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { HeadOptions } from './types';

/** Names of the layers `attachHead` adds; everything else belongs to the backbone. */
export const HEAD_LAYER_PREFIX = 'head_';

export interface AttachHeadOptions extends HeadOptions {
  numClasses: number;
  /** Seeds the head's initialisers so two runs with one seed start from the same weights. */
  seed?: number;
}

/**
 * Returns a model: backbone input -> backbone features -> pooling -> [dropout] -> [dense relu
 * + dropout] -> dense softmax(numClasses). A backbone that already pools (rank-2 output) skips
 * the pooling layer.
 * @throws AppError INVALID_ARGUMENT for a bad class count, rate or backbone output rank.
 */
export function attachHead(backbone: tf.LayersModel, opts: AttachHeadOptions): tf.LayersModel {
  const { numClasses, pooling = 'avg', dropout = 0.2, hidden, seed } = opts;
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new AppError('INVALID_ARGUMENT', `numClasses must be an integer >= 2. Received: ${numClasses}. A classifier needs at least two classes (folders).`, { received: numClasses });
  }
  if (!(dropout >= 0 && dropout < 1)) {
    throw new AppError('INVALID_ARGUMENT', `head dropout must be in [0, 1). Received: ${dropout}.`, { received: dropout });
  }
  if (backbone.outputs.length !== 1) {
    throw new AppError('INVALID_ARGUMENT', `The backbone ${backbone.name} must have one output. Received: ${backbone.outputs.length}.`);
  }
  const features = backbone.outputs[0];
  const rank = features.shape.length;
  let x: tf.SymbolicTensor;
  if (rank === 4) {
    const Pool = pooling === 'max' ? tf.layers.globalMaxPooling2d : tf.layers.globalAveragePooling2d;
    x = Pool({ name: `${HEAD_LAYER_PREFIX}pool` }).apply(features) as tf.SymbolicTensor;
  } else if (rank === 2) {
    x = features;
  } else {
    throw new AppError('INVALID_ARGUMENT', `The backbone ${backbone.name} must output [batch, h, w, c] or [batch, c]. Received shape: ${JSON.stringify(features.shape)}. Build it with includeTop: false.`);
  }
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + k });
  if (dropout > 0) x = tf.layers.dropout({ rate: dropout, name: `${HEAD_LAYER_PREFIX}dropout` }).apply(x) as tf.SymbolicTensor;
  if (hidden && hidden > 0) {
    x = tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(1), name: `${HEAD_LAYER_PREFIX}hidden` }).apply(x) as tf.SymbolicTensor;
    if (dropout > 0) x = tf.layers.dropout({ rate: dropout, name: `${HEAD_LAYER_PREFIX}hidden_dropout` }).apply(x) as tf.SymbolicTensor;
  }
  const out = tf.layers
    .dense({ units: numClasses, activation: 'softmax', kernelInitializer: init(2), name: `${HEAD_LAYER_PREFIX}predictions` })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: out, name: `${backbone.name}_transfer` });
}

/** True for layers added by `attachHead`. */
export function isHeadLayer(name: string): boolean {
  return name.startsWith(HEAD_LAYER_PREFIX);
}
