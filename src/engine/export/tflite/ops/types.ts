// SPDX-License-Identifier: MIT
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { Emitter } from '../emitter';

export interface WeightData {
  shape: number[];
  data: Float32Array;
}

/** Everything a TFLite op mapper sees for one Keras layer (each layer is called once). */
export interface TflContext {
  e: Emitter;
  layer: tf.layers.Layer;
  className: string;
  /** The layer's config with Keras's snake_case keys. */
  config: Record<string, unknown>;
  /** Tensor ids of the layer's inputs. */
  inputs: number[];
  /** Shape of the first input and of the output, batch first (an unknown batch is 1). */
  inShape: number[];
  outShape: number[];
  /** The layer's weights by Keras short name ('kernel', 'moving_mean'). */
  weights: Map<string, WeightData>;
  /** The one layer that reads this layer's output, or undefined when there are none or several. */
  soleConsumer(): tf.layers.Layer | undefined;
  /** Records that `folded` was fused into this layer: its output is tensor `id` and it emits nothing. */
  fold(folded: tf.layers.Layer, id: number): void;
}

/** Emits the TFLite ops of one Keras layer and returns the tensor id of its output. */
export type TflMapper = (ctx: TflContext) => number;

/** The layer's config with Keras's snake_case keys (tfjs's getConfig uses camelCase). */
export function kerasConfig(layer: tf.layers.Layer): Record<string, unknown> {
  const c = layer.getConfig() as Record<string, unknown>;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`), v]));
}

export function weightsOf(layer: tf.layers.Layer): Map<string, WeightData> {
  const values = layer.getWeights();
  const m = new Map<string, WeightData>();
  layer.weights.forEach((w, i) => {
    const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    m.set(short, { shape: [...values[i].shape], data: Float32Array.from(values[i].dataSync() as Float32Array) });
  });
  return m;
}

/** The weight or INTERNAL naming the layer (a layer missing its own weight is a bug). */
export function need(ws: Map<string, WeightData>, name: string, layer: tf.layers.Layer): WeightData {
  const w = ws.get(name);
  if (!w) throw new AppError('INTERNAL', `Layer ${layer.name} has no weight ${name}.`);
  return w;
}

export function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}
