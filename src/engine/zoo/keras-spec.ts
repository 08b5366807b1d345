// SPDX-License-Identifier: MIT
// The spec factory for Keras Applications families (sizes, preprocessing, figures and parameter
// counts read from weights.json, so no spec repeats them) and the layer helpers that
// builder-kit does not have: Keras's correct_pad and the family-named pooling tail.
import * as tf from '@tensorflow/tfjs';
import type { InputRules } from './builder-kit';
import { kerasFacts, kerasReferenceFigures } from './keras-facts';
import type { BuildOptions, BundledWeights, ModelSpec, PaperRef, Pooling } from './types';

/** The includeTop=false tail: optional global pooling, named as the family's Keras source names it. */
export function poolFeatures(
  x: tf.SymbolicTensor,
  pooling: Pooling,
  names: { avg: string; max: string },
): tf.SymbolicTensor {
  if (pooling === 'avg') return tf.layers.globalAveragePooling2d({ name: names.avg }).apply(x) as tf.SymbolicTensor;
  if (pooling === 'max') return tf.layers.globalMaxPooling2d({ name: names.max }).apply(x) as tf.SymbolicTensor;
  return x;
}

export { correctPad } from './builder-kit';

/**
 * The include_top tail Keras's ResNet and DenseNet share: global average pooling named `avg_pool`,
 * then the `predictions` Dense layer; without the top, the optional pooling.
 */
export function avgPoolClassifier(x: tf.SymbolicTensor, o: Pick<BuildOptions, 'includeTop' | 'pooling' | 'classifierActivation'> & { classes: number }): tf.SymbolicTensor {
  if (!o.includeTop) return poolFeatures(x, o.pooling ?? null, { avg: 'avg_pool', max: 'max_pool' });
  const pooled = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  return apply(tf.layers.dense({ units: o.classes, activation: (o.classifierActivation ?? 'linear') as 'linear', name: 'predictions' }), pooled);
}

/** `tf.layers.*(...).apply(x)` typed for the single-tensor case every builder uses. */
export function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

/** The input every builder starts from; Keras 3 calls it `input_layer`. */
export function imageInput(shape: [number, number, number]): tf.SymbolicTensor {
  return tf.input({ shape, name: 'input_layer' });
}

/** The fields of a Keras ModelSpec that differ per model; the rest is read from weights.json. */
export interface KerasSpecParts {
  kerasName: string;
  family: string;
  paper: PaperRef;
  story: string;
  fixedInputWithTop: boolean;
  featureLayer: string;
  bundled?: BundledWeights;
  build(rules: InputRules, opts: BuildOptions): tf.LayersModel;
  blockOf(layerName: string): string | null;
}

/** A ModelSpec whose sizes, preprocessing, figures and parameter counts come from Keras's own facts. */
export function kerasSpec(parts: KerasSpecParts): ModelSpec {
  const f = kerasFacts(parts.kerasName);
  const rules: InputRules = {
    model: parts.kerasName,
    defaultSize: f.default_input_shape[0],
    minSize: f.min_input_size,
    fixedInputWithTop: parts.fixedInputWithTop,
  };
  return {
    id: parts.kerasName.toLowerCase(),
    name: parts.kerasName,
    family: parts.family,
    kind: 'keras',
    paper: parts.paper,
    story: parts.story,
    defaultInputSize: rules.defaultSize,
    minInputSize: rules.minSize,
    fixedInputWithTop: parts.fixedInputWithTop,
    preprocess: f.preprocess_mode,
    reference: kerasReferenceFigures(parts.kerasName),
    params: { top: f.total_params_top, notop: f.total_params_notop },
    featureLayer: parts.featureLayer,
    ...(parts.bundled ? { bundled: parts.bundled } : {}),
    build: (opts: BuildOptions = {}) => parts.build(rules, opts),
    blockOf: parts.blockOf,
  };
}
