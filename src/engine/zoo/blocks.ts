// SPDX-License-Identifier: MIT
// A model's freezing blocks (spec.blockOf over the layers, in order) and what freezing up to one of
// them leaves trainable, so the UI can say "freeze up to conv4_block6: 17.0M trainable of 25.6M".
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { BlockInfo, ModelSpec } from './types';

type Layer = tf.layers.Layer;

const size = (ws: readonly tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

/**
 * The parameters a layer trains when it is not frozen. tfjs reports none while `layer.trainable`
 * is false, so this reads the layer's own list (BN moving statistics are never in it).
 */
function trainableWhenUnfrozen(layer: Layer): number {
  const own = (layer as unknown as { _trainableWeights?: tf.LayerVariable[] })._trainableWeights;
  return Array.isArray(own) ? size(own.filter((w) => w.trainable || !layer.trainable)) : size(layer.trainableWeights);
}

/**
 * The model's blocks in layer order. A layer for which `spec.blockOf` returns null joins the block
 * before it; layers before the first named block (the input) join the first one. A block name that
 * comes back later (a shortcut layer listed after the next block) is merged into its first place.
 * `params` counts every weight (BN moving statistics too, as Keras does); `trainableParams` what is
 * trainable now.
 */
export function modelBlocks(model: tf.LayersModel, spec: Pick<ModelSpec, 'blockOf'>): BlockInfo[] {
  const blocks: BlockInfo[] = [];
  const byName = new Map<string, BlockInfo>();
  let current: BlockInfo | undefined;
  const pending: Layer[] = [];
  const add = (b: BlockInfo, l: Layer) => {
    b.layers.push(l.name);
    b.params += l.countParams();
    b.trainableParams += size(l.trainableWeights);
  };
  for (const layer of model.layers) {
    const name = spec.blockOf(layer.name);
    if (name !== null) {
      current = byName.get(name);
      if (!current) {
        current = { name, layers: [], params: 0, trainableParams: 0 };
        byName.set(name, current);
        blocks.push(current);
      }
      for (const p of pending.splice(0)) add(current, p);
    }
    if (current) add(current, layer);
    else pending.push(layer);
  }
  if (pending.length > 0) {
    // blockOf named nothing at all: one block holds the whole model.
    const only: BlockInfo = { name: 'all', layers: [], params: 0, trainableParams: 0 };
    for (const p of pending) add(only, p);
    blocks.push(only);
  }
  return blocks;
}

export interface FreezePlan {
  /** The block frozen last (inclusive), or null when nothing is frozen. */
  untilBlock: string | null;
  frozenBlocks: string[];
  frozenLayers: string[];
  /** Parameters training will update: the trainable weights of the layers left unfrozen. */
  trainableParams: number;
  /** Everything else: the frozen layers' weights and all BN moving statistics. */
  frozenParams: number;
  totalParams: number;
}

/**
 * What freezing every block up to and including `untilBlock` leaves trainable, whatever is frozen
 * now. `null` freezes nothing.
 * @throws AppError INVALID_ARGUMENT naming the unknown block and listing the model's blocks.
 */
export function freezePlan(model: tf.LayersModel, spec: Pick<ModelSpec, 'blockOf'>, untilBlock: string | null): FreezePlan {
  const blocks = modelBlocks(model, spec);
  const cut = untilBlock === null ? -1 : blocks.findIndex((b) => b.name === untilBlock);
  if (untilBlock !== null && cut < 0) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `Cannot freeze up to block ${JSON.stringify(untilBlock)}: ${model.name} has no such block. Use one of: ${blocks.map((b) => b.name).join(', ')}.`,
      { received: untilBlock, blocks: blocks.map((b) => b.name) },
    );
  }
  const frozenBlocks = blocks.slice(0, cut + 1);
  const frozen = new Set(frozenBlocks.flatMap((b) => b.layers));
  let totalParams = 0;
  let trainableParams = 0;
  for (const layer of model.layers) {
    totalParams += layer.countParams();
    if (!frozen.has(layer.name)) trainableParams += trainableWhenUnfrozen(layer);
  }
  return {
    untilBlock,
    frozenBlocks: frozenBlocks.map((b) => b.name),
    frozenLayers: model.layers.filter((l) => frozen.has(l.name)).map((l) => l.name),
    trainableParams,
    frozenParams: totalParams - trainableParams,
    totalParams,
  };
}

/**
 * Sets `layer.trainable` by the plan (frozen layers false, the rest true) and returns the plan.
 * Compile the model again afterwards, as in Keras.
 */
export function applyFreeze(model: tf.LayersModel, spec: Pick<ModelSpec, 'blockOf'>, untilBlock: string | null): FreezePlan {
  const plan = freezePlan(model, spec, untilBlock);
  const frozen = new Set(plan.frozenLayers);
  for (const layer of model.layers) layer.trainable = !frozen.has(layer.name);
  return plan;
}
