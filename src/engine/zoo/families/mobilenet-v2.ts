// SPDX-License-Identifier: MIT
// MobileNetV2 as keras.applications.mobilenet_v2 builds it, layer for layer and name for name.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { resolveOptions, type InputRules } from '../builder-kit';
import { apply, correctPad, imageInput, kerasSpec, poolFeatures } from '../keras-spec';
import type { BuildOptions, ModelSpec } from '../types';

/** Inverted residual blocks: [output filters, stride, expansion], block ids 0..16 (Keras's table). */
const BLOCKS: readonly (readonly [number, 1 | 2, number])[] = [
  [16, 1, 1],
  [24, 2, 6], [24, 1, 6],
  [32, 2, 6], [32, 1, 6], [32, 1, 6],
  [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
  [96, 1, 6], [96, 1, 6], [96, 1, 6],
  [160, 2, 6], [160, 1, 6], [160, 1, 6],
  [320, 1, 6],
];

// Keras's BatchNormalization settings for this family (the weights were trained with them).
const BN = { epsilon: 1e-3, momentum: 0.999 } as const;

/** Keras `_make_divisible`: round to the nearest multiple of `divisor`, never more than 10% down. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let out = Math.max(minValue, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

function convBnRelu(x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, names: [string, string, string], padding: 'same' | 'valid'): tf.SymbolicTensor {
  x = apply(tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding, useBias: false, name: names[0] }), x);
  x = apply(tf.layers.batchNormalization({ ...BN, name: names[1] }), x);
  return apply(tf.layers.reLU({ maxValue: 6, name: names[2] }), x);
}

function invertedResBlock(inputs: tf.SymbolicTensor, filters: number, stride: number, expansion: number, alpha: number, id: number): tf.SymbolicTensor {
  const inChannels = inputs.shape[3] as number;
  const pointwise = makeDivisible(Math.trunc(filters * alpha), 8);
  let x = inputs;
  // Block 0 has no expansion conv and keeps the name Keras inherited from the first release.
  const p = id ? `block_${id}_` : 'expanded_conv_';
  if (id) x = convBnRelu(x, expansion * inChannels, 1, 1, [`${p}expand`, `${p}expand_BN`, `${p}expand_relu`], 'same');
  if (stride === 2) x = apply(tf.layers.zeroPadding2d({ padding: correctPad(x, 3), name: `${p}pad` }), x);
  x = apply(
    tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, useBias: false, padding: stride === 1 ? 'same' : 'valid', name: `${p}depthwise` }),
    x,
  );
  x = apply(tf.layers.batchNormalization({ ...BN, name: `${p}depthwise_BN` }), x);
  x = apply(tf.layers.reLU({ maxValue: 6, name: `${p}depthwise_relu` }), x);
  x = apply(tf.layers.conv2d({ filters: pointwise, kernelSize: 1, padding: 'same', useBias: false, name: `${p}project` }), x);
  x = apply(tf.layers.batchNormalization({ ...BN, name: `${p}project_BN` }), x);
  if (inChannels === pointwise && stride === 1) return apply(tf.layers.add({ name: `${p}add` }), [inputs, x]);
  return x;
}

function buildMobileNetV2(rules: InputRules, opts: BuildOptions): tf.LayersModel {
  const o = resolveOptions(opts, rules);
  const alpha = opts.alpha ?? 1.0;
  if (!(typeof alpha === 'number' && alpha > 0 && Number.isFinite(alpha))) {
    throw new AppError('INVALID_ARGUMENT', `MobileNetV2: alpha must be a positive number. Received: ${JSON.stringify(alpha)}. Keras's weights exist for 0.35, 0.5, 0.75, 1.0, 1.3, 1.4.`, { received: alpha });
  }
  const input = imageInput(o.inputShape);
  let x = convBnRelu(input, makeDivisible(32 * alpha, 8), 3, 2, ['Conv1', 'bn_Conv1', 'Conv1_relu'], 'same');
  BLOCKS.forEach(([filters, stride, expansion], id) => {
    x = invertedResBlock(x, filters, stride, expansion, alpha, id);
  });
  // Only wider models widen the last conv: a slim model keeps 1280 features (paper, section 5.1).
  const last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = convBnRelu(x, last, 1, 1, ['Conv_1', 'Conv_1_bn', 'out_relu'], 'valid');
  if (o.includeTop) {
    x = apply(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
    x = apply(tf.layers.dense({ units: o.classes, activation: (o.classifierActivation ?? 'linear') as 'linear', name: 'predictions' }), x);
  } else {
    x = poolFeatures(x, o.pooling, { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' });
  }
  return tf.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${o.inputShape[0]}` });
}

/** 'stem', 'block_0' (Keras's expanded_conv) … 'block_16', 'conv_1' (the 1280-wide conv), 'top'. */
function blockOf(layer: string): string | null {
  if (layer === 'Conv1' || layer === 'bn_Conv1' || layer === 'Conv1_relu') return 'stem';
  if (layer.startsWith('expanded_conv_')) return 'block_0';
  const m = /^block_(\d+)_/.exec(layer);
  if (m) return `block_${m[1]}`;
  if (layer === 'Conv_1' || layer === 'Conv_1_bn' || layer === 'out_relu') return 'conv_1';
  if (layer === 'predictions' || layer.startsWith('global_')) return 'top';
  return null;
}

export const specs: readonly ModelSpec[] = [
  kerasSpec({
    kerasName: 'MobileNetV2',
    family: 'mobilenet-v2',
    paper: {
      title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks',
      authors: 'Mark Sandler, Andrew Howard, Menglong Zhu, Andrey Zhmoginov, Liang-Chieh Chen',
      year: 2018,
      url: 'https://arxiv.org/abs/1801.04381',
    },
    story:
      'MobileNetV2 joins two ideas from the lecture: the depthwise separable convolution that Xception took to the extreme, and the ResNet shortcut that lets activations skip ahead. ' +
      'Its blocks invert the bottleneck: a 1x1 convolution widens the channels, a 3x3 depthwise convolution filters each channel on its own, and a linear 1x1 convolution narrows them again, so the network stays small (3.5M parameters) and fast.',
    fixedInputWithTop: false,
    featureLayer: 'out_relu',
    // infinitered/nsfwjs ships a Keras-trained MobileNetV2 (alpha 1.0) as TF.js shards; its
    // backbone is a good general starting point and needs no download, so it is the default tag.
    bundled: {
      tag: 'nsfwjs',
      package: 'nsfwjs',
      dir: 'dist/models/mobilenet_v2',
      approxBytes: 3_493_394,
      homepage: 'https://github.com/infinitered/nsfwjs',
      preprocess: 'unit',
      label: 'nsfwjs (bundled with the app, no download)',
    },
    build: buildMobileNetV2,
    blockOf,
  }),
];
