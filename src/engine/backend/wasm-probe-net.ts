// SPDX-License-Identifier: MIT
// A small functional Keras-style net that touches every layer kind the zoo uses, so that one
// training step of it exercises every forward kernel and gradient a zoo fine-tune needs.
import * as tf from '@tensorflow/tfjs';

/**
 * Builds the probe net: Conv2D (strides 1 and 2; no dilation: tfjs has no dilated Conv2D gradient on any backend), DepthwiseConv2D (multiplier 2),
 * SeparableConv2D, BatchNormalization, ReLU6, swish, sigmoid gating (Multiply), Add, Concatenate,
 * ZeroPadding2D, Cropping2D, MaxPool, AvgPool, GlobalAveragePooling, Dropout and Dense.
 * Seeded initializers make two builds identical, so cpu and wasm can start from the same weights;
 * `dropoutRate` 0 makes a training step deterministic (Dropout draws unseeded masks).
 */
export function buildProbeNet(inputSize = 16, classes = 3, seed = 7, dropoutRate = 0.2): tf.LayersModel {
  let s = seed;
  const init = (): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed: s++ });
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: init() }).apply(x) as tf.SymbolicTensor;
  const dwAct = tf.layers.activation({ activation: 'swish' }).apply(dw) as tf.SymbolicTensor;
  const gate = tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'sigmoid', kernelInitializer: init() }).apply(
    tf.layers.reshape({ targetShape: [1, 1, 16] }).apply(tf.layers.globalAveragePooling2d({}).apply(dwAct)) as tf.SymbolicTensor,
  ) as tf.SymbolicTensor;
  const gated = tf.layers.multiply().apply([dwAct, gate]) as tf.SymbolicTensor;
  const sep = tf.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', depthwiseInitializer: init(), pointwiseInitializer: init() }).apply(gated) as tf.SymbolicTensor;
  const dil = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  let y = tf.layers.add().apply([sep, dil]) as tf.SymbolicTensor;
  y = tf.layers.cropping2D({ cropping: [[0, 1], [0, 1]] }).apply(y) as tf.SymbolicTensor;
  const mp = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  const ap = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  let z = tf.layers.concatenate().apply([mp, ap]) as tf.SymbolicTensor;
  z = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' as never, kernelInitializer: init() }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.globalAveragePooling2d({}).apply(z) as tf.SymbolicTensor;
  z = tf.layers.dropout({ rate: dropoutRate }).apply(z) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init() }).apply(z) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'wasm_probe_net' });
}
