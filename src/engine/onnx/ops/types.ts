// SPDX-License-Identifier: MIT
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { GraphBuilder, Shape, Value } from '../graph-builder';

export interface WeightData {
  shape: number[];
  data: Float32Array;
}

/** Everything a layer mapper sees for one call of one Keras layer. */
export interface LayerContext {
  g: GraphBuilder;
  layer: tf.layers.Layer;
  className: string;
  /** `layer.getConfig()`: tfjs's camelCase config. */
  config: Record<string, unknown>;
  inputs: Value[];
  /** Keras output shapes of this call, batch first. */
  outputShapes: Shape[];
  /** Per input: true when this layer call is the only reader of that tensor (so it may be fused away). */
  soleConsumer: boolean[];
  /** Base for the ONNX names this call creates (the Keras layer name). */
  name: string;
  /** A weight by its Keras short name ('kernel', 'moving_mean'); undefined when the layer has none. */
  weight(shortName: string): WeightData | undefined;
}

/** Maps one Keras layer call to ONNX nodes and returns its output values. */
export type LayerMapper = (ctx: LayerContext) => Value[];

/** The weight or a clear INTERNAL error naming the layer (a layer missing its own weight is a bug). */
export function requireWeight(ctx: LayerContext, shortName: string): WeightData {
  const w = ctx.weight(shortName);
  if (!w) {
    throw new AppError('INTERNAL', `Layer ${ctx.layer.name} (${ctx.className}) has no weight "${shortName}"; it has ${ctx.layer.weights.map((v) => v.originalName).join(', ') || 'none'}.`);
  }
  return w;
}

export function unsupported(ctx: LayerContext, what: string): AppError {
  return new AppError('UNSUPPORTED', `ONNX export does not support layer ${ctx.layer.name} (${ctx.className}) with ${what} yet.`, {
    layer: ctx.layer.name,
    className: ctx.className,
  });
}

export function num(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key];
  return typeof v === 'number' ? v : fallback;
}

export function pair(config: Record<string, unknown>, key: string, fallback: [number, number]): [number, number] {
  const v = config[key];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  return fallback;
}
