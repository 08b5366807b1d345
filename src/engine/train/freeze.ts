// SPDX-License-Identifier: MIT
// Freezing by block (a zoo spec's blockOf order) or by layer list. A frozen layer gets
// trainable=false; forward.ts then also runs it in inference mode, which is what keeps a frozen
// BatchNormalization on its moving statistics.
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { modelBlocks } from '../zoo/blocks';
import { isHeadLayer } from './head';

export interface Block {
  name: string;
  layers: string[];
}

/**
 * Backbone blocks in graph order (bottom first), grouped exactly as the zoo's modelBlocks groups
 * them for the UI (null joins the block before; leading layers join the first block). Head
 * layers are left out.
 */
export function backboneBlocks(model: tf.LayersModel, blockOf: (layerName: string) => string | null): Block[] {
  const HEAD = '\u0000head';
  return modelBlocks(model, { blockOf: (n) => (isHeadLayer(n) ? HEAD : blockOf(n)) })
    .filter((b) => b.name !== HEAD)
    .map((b) => ({ name: b.name, layers: b.layers }));
}

function setTrainable(model: tf.LayersModel, frozen: ReadonlySet<string>): void {
  for (const layer of model.layers) layer.trainable = !frozen.has(layer.name);
}

/**
 * Freezes backbone blocks up to and including `until` ('all': the whole backbone, 'none':
 * nothing). Head layers are always left trainable. Returns the frozen layer names.
 * @throws AppError INVALID_ARGUMENT when `until` names no block.
 */
export function freezeUntilBlock(model: tf.LayersModel, blockOf: (layerName: string) => string | null, until: string): string[] {
  const blocks = backboneBlocks(model, blockOf);
  let count: number;
  if (until === 'all') count = blocks.length;
  else if (until === 'none') count = 0;
  else {
    const at = blocks.findIndex((b) => b.name === until);
    if (at < 0) {
      throw new AppError('INVALID_ARGUMENT', `freezeUntil names no block of ${model.name}. Received: ${JSON.stringify(until)}. Use 'all', 'none' or one of: ${blocks.map((b) => b.name).join(', ')}`, { received: until });
    }
    count = at + 1;
  }
  const frozen = blocks.slice(0, count).flatMap((b) => b.layers);
  setTrainable(model, new Set(frozen));
  return frozen;
}

/**
 * Keras fine-tuning phase: the top `k` backbone blocks and the head train, the rest is frozen.
 * Returns the frozen layer names.
 */
export function unfreezeTopBlocks(model: tf.LayersModel, blockOf: (layerName: string) => string | null, k: number): string[] {
  if (!Number.isInteger(k) || k < 0) {
    throw new AppError('INVALID_ARGUMENT', `fineTune.blocks must be an integer >= 0. Received: ${k}.`, { received: k });
  }
  const blocks = backboneBlocks(model, blockOf);
  const frozen = blocks.slice(0, Math.max(0, blocks.length - k)).flatMap((b) => b.layers);
  setTrainable(model, new Set(frozen));
  return frozen;
}

/**
 * Freezes exactly the listed layers (everything else trains).
 * @throws AppError INVALID_ARGUMENT naming the layers the model does not have.
 */
export function freezeLayers(model: tf.LayersModel, names: readonly string[]): void {
  const known = new Set(model.layers.map((l) => l.name));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length) {
    throw new AppError('INVALID_ARGUMENT', `Cannot freeze layers that ${model.name} does not have. Received: ${missing.join(', ')}`, { received: missing });
  }
  setTrainable(model, new Set(names));
}

/** Parameter counts after freezing (what the UI shows next to the freeze slider). */
export function countParams(model: tf.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const size = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
