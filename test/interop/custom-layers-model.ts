// SPDX-License-Identifier: MIT
// One small model with every layer transfer-studio-layers.js defines for a web page: per-channel
// Rescaling, Normalization, CustomScaleLayer, AdaptiveAveragePooling2D (overlapping bins) and
// GlobalAveragePooling2D with keepdims. The zoo models in the loader suite reach only some of them
// (EfficientNet: the first two and keepdims); this reaches all, in a few milliseconds.
import * as tf from '@tensorflow/tfjs';
import { AdaptiveAveragePooling2D } from '../../src/engine/zoo/classic-kit';
import { CustomScaleLayer } from '../../src/engine/zoo/layers/custom-scale-layer';
import { GlobalAveragePooling2D } from '../../src/engine/zoo/layers/global-average-pooling-2d';
import { Normalization } from '../../src/engine/zoo/layers/normalization';
import { Rescaling } from '../../src/engine/zoo/layers/rescaling';

export const CUSTOM_SIZE = 8;

export function customLayersModel(): tf.LayersModel {
  const input = tf.input({ shape: [CUSTOM_SIZE, CUSTOM_SIZE, 3] });
  let x = new Rescaling({ scale: [1 / 255, 1 / 127.5, 1 / 64], offset: [0, -1, -2], name: 'rescale' }).apply(input) as tf.SymbolicTensor;
  const norm = new Normalization({ axis: -1, name: 'normalise' });
  x = norm.apply(x) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'branch_a', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(x) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'branch_b', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  x = new CustomScaleLayer({ scale: 0.17, name: 'scaled_sum' }).apply([a, b]) as tf.SymbolicTensor;
  x = new AdaptiveAveragePooling2D({ outputSize: [3, 3], name: 'adaptive' }).apply(x) as tf.SymbolicTensor;
  x = new GlobalAveragePooling2D({ keepdims: true, name: 'pool_keepdims' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'custom_layers' });
  // Normalization's statistics as an adapted layer would hold them (not the identity 0 / 1).
  const [, , count] = norm.getWeights();
  norm.setWeights([tf.tensor1d([0.45, 0.1, -1.6]), tf.tensor1d([0.08, 0.3, 0.02]), count]);
  const dense = model.getLayer('predictions');
  const [k, bias] = dense.getWeights();
  dense.setWeights([tf.mul(k, 3), bias]);
  return model;
}
