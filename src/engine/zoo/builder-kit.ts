// SPDX-License-Identifier: MIT
// Small pieces every Keras-Applications family builder needs: Keras 3 auto-naming that does
// not depend on what else was built in the process, Keras's `obtain_input_shape` checks and
// the classifier head / pooling tail.
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { AppError } from '../../shared/errors';
import type { BuildOptions, Pooling } from './types';

/**
 * Keras 3 names unnamed layers `<snake_class>`, `<snake_class>_1`, ... counting from 0 in a
 * fresh session. tfjs counts per process (and from 1), so a model built after another would
 * get different names; every builder owns one namer and names every layer explicitly.
 */
export class KerasNamer {
  private readonly counts = new Map<string, number>();
  /** The freezing block the layers named from now on belong to; set by the builder as it goes. */
  block = '';
  /** Every name handed out, with the block that was current then. */
  readonly blocks = new Map<string, string>();

  /** `next('conv2d')` gives 'conv2d', then 'conv2d_1', 'conv2d_2', ... */
  next(prefix: string): string {
    const n = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, n + 1);
    return this.fixed(n === 0 ? prefix : `${prefix}_${n}`);
  }

  /** A name Keras gives explicitly; recorded in the current block. */
  fixed(name: string): string {
    if (this.block) this.blocks.set(name, this.block);
    return name;
  }

  /** The explicit name when Keras gives one, otherwise the next auto name. */
  name(explicit: string | null | undefined, prefix: string): string {
    return explicit != null ? this.fixed(explicit) : this.next(prefix);
  }
}

/**
 * `blockOf` for a family: the blocks recorded by the last build of that variant, or, before
 * any build, by one small throw-away build (names do not depend on the input size). That build
 * may leave out the classifier head (NASNet needs the full size for it), so the head's fixed
 * names are given as `headNames` and map to 'top'.
 */
export class BlockIndex {
  private readonly byVariant = new Map<string, ReadonlyMap<string, string>>();

  /** Keeps a build's name -> block map (usually `namer.blocks`). */
  remember(variant: string, blocks: ReadonlyMap<string, string>): void {
    this.byVariant.set(variant, blocks);
  }

  lookup(variant: string, buildSmall: () => tf.LayersModel, headNames: readonly string[] = []): (layerName: string) => string | null {
    const head = new Set(headNames);
    return (layerName: string) => {
      if (!this.byVariant.has(variant)) buildSmall().dispose();
      return this.byVariant.get(variant)?.get(layerName) ?? (head.has(layerName) ? 'top' : null);
    };
  }
}

export interface ResolvedOptions {
  includeTop: boolean;
  inputShape: [number, number, number];
  pooling: Pooling;
  classes: number;
  classifierActivation: string | null;
}

/** The input every builder starts from; Keras 3 calls it `input_layer`. */
export function imageInput(shape: [number, number, number], namer: KerasNamer): tf.SymbolicTensor {
  return tf.input({ shape, name: namer.fixed('input_layer') });
}

export interface InputRules {
  /** Keras model name, for messages ('InceptionV3'). */
  model: string;
  defaultSize: number;
  minSize: number;
  /** NASNet: with the top, the input must be the default size (Keras requires it for the weights). */
  fixedInputWithTop?: boolean;
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * Keras's `obtain_input_shape` for channels_last plus the head options, validated up front.
 * @throws AppError INVALID_ARGUMENT naming the option and echoing what was received.
 */
export function resolveOptions(opts: BuildOptions, rules: InputRules): ResolvedOptions {
  const includeTop = opts.includeTop ?? true;
  const inputShape = opts.inputShape ?? [rules.defaultSize, rules.defaultSize, 3];
  const bad = (what: string, received: unknown, fix: string): never => {
    throw new AppError('INVALID_ARGUMENT', `${rules.model}: ${what}. Received: ${JSON.stringify(received)}. ${fix}`, {
      model: rules.model,
      received,
    });
  };
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every(isPositiveInt)) {
    bad('inputShape must be [height, width, channels] of positive integers', opts.inputShape, 'Pass e.g. [224, 224, 3].');
  }
  const [h, w] = inputShape;
  if (h < rules.minSize || w < rules.minSize) {
    bad(`input size must be at least ${rules.minSize}x${rules.minSize}`, inputShape, `Use a larger inputShape.`);
  }
  if (includeTop && rules.fixedInputWithTop && (h !== rules.defaultSize || w !== rules.defaultSize)) {
    bad(
      `with includeTop the input must be ${rules.defaultSize}x${rules.defaultSize}`,
      inputShape,
      'Leave inputShape out, or pass includeTop: false to use another size.',
    );
  }
  const pooling = opts.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') bad("pooling must be 'avg', 'max' or null", pooling, '');
  const classes = opts.classes ?? 1000;
  if (!isPositiveInt(classes)) bad('classes must be a positive integer', classes, '');
  const classifierActivation = opts.classifierActivation === undefined ? 'softmax' : opts.classifierActivation;
  return { includeTop, inputShape: [...inputShape] as [number, number, number], pooling, classes, classifierActivation };
}

/**
 * Keras's tail: with the top, GAP (named as the family names it), optional Dropout, then Dense
 * 'predictions'; without it, the optional auto-named global pooling. Names are recorded in
 * whatever block the namer is in (families set 'top' first).
 */
export function kerasTail(
  x: tf.SymbolicTensor,
  o: ResolvedOptions,
  namer: KerasNamer,
  head: { gapName?: string; dropout?: { rate: number; name: string }; poolNames?: { avg: string; max: string } } = {},
): tf.SymbolicTensor {
  if (o.includeTop) {
    let y = tf.layers.globalAveragePooling2d({ name: namer.name(head.gapName, 'global_average_pooling2d') }).apply(x) as tf.SymbolicTensor;
    if (head.dropout && head.dropout.rate > 0) {
      y = tf.layers.dropout({ rate: head.dropout.rate, name: namer.fixed(head.dropout.name) }).apply(y) as tf.SymbolicTensor;
    }
    return tf.layers
      .dense({ units: o.classes, activation: (o.classifierActivation ?? 'linear') as 'softmax', name: namer.fixed('predictions') })
      .apply(y) as tf.SymbolicTensor;
  }
  const pool = head.poolNames;
  if (o.pooling === 'avg') {
    return tf.layers.globalAveragePooling2d({ name: namer.name(pool?.avg, 'global_average_pooling2d') }).apply(x) as tf.SymbolicTensor;
  }
  if (o.pooling === 'max') {
    return tf.layers.globalMaxPooling2d({ name: namer.name(pool?.max, 'global_max_pooling2d') }).apply(x) as tf.SymbolicTensor;
  }
  return x;
}

/** Keras `imagenet_utils.correct_pad`: the zero padding in front of a stride-2 'valid' convolution. */
export function correctPad(x: tf.SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h == null || w == null ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [
    [c - adjust[0], c],
    [c - adjust[1], c],
  ];
}
