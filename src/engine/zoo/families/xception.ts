// SPDX-License-Identifier: MIT
// Xception as keras.applications.xception builds it. Its shortcut convolutions, their batch
// norms and the adds are unnamed in Keras, so they carry Keras 3's auto-names (conv2d, add_3, ...).
import * as tf from '@tensorflow/tfjs';
import { KerasNamer, resolveOptions, type InputRules } from '../builder-kit';
import { apply, imageInput, kerasSpec, poolFeatures } from '../keras-spec';
import type { BuildOptions, ModelSpec } from '../types';

/** Entry flow: blocks 2..4 with [filters of both separable convs]; each halves the image. */
const ENTRY_FILTERS = [128, 256, 728] as const;
/** Middle flow: 8 identical residual blocks (block5..block12) of three 728-wide separable convs. */
const MIDDLE_BLOCKS = 8;
const MIDDLE_FILTERS = 728;

type T = tf.SymbolicTensor;

// Xception uses Keras's default BatchNormalization (epsilon 1e-3, momentum 0.99).
const bn = (name: string) => tf.layers.batchNormalization({ name });
const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });
const sepConv = (filters: number, name: string) =>
  tf.layers.separableConv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name });

/**
 * A downsampling residual block (Keras blocks 2, 3, 4 and 13): two separable convs and a 3x3/2
 * max pool, added to a strided 1x1 conv of the input. Block 2 has no leading ReLU: the stem's
 * last activation already precedes it.
 */
function downBlock(x: T, b: number, filters: [number, number], leadingRelu: boolean, namer: KerasNamer): T {
  let residual = apply(tf.layers.conv2d({ filters: filters[1], kernelSize: 1, strides: 2, padding: 'same', useBias: false, name: namer.next('conv2d') }), x);
  residual = apply(bn(namer.next('batch_normalization')), residual);
  if (leadingRelu) x = apply(relu(`block${b}_sepconv1_act`), x);
  x = apply(bn(`block${b}_sepconv1_bn`), apply(sepConv(filters[0], `block${b}_sepconv1`), x));
  x = apply(relu(`block${b}_sepconv2_act`), x);
  x = apply(bn(`block${b}_sepconv2_bn`), apply(sepConv(filters[1], `block${b}_sepconv2`), x));
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `block${b}_pool` }), x);
  return apply(tf.layers.add({ name: namer.next('add') }), [x, residual]);
}

function buildXception(rules: InputRules, opts: BuildOptions): tf.LayersModel {
  const o = resolveOptions(opts, rules);
  const namer = new KerasNamer();
  const input = imageInput(o.inputShape);
  let x = apply(tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, useBias: false, name: 'block1_conv1' }), input);
  x = apply(relu('block1_conv1_act'), apply(bn('block1_conv1_bn'), x));
  x = apply(tf.layers.conv2d({ filters: 64, kernelSize: 3, useBias: false, name: 'block1_conv2' }), x);
  x = apply(relu('block1_conv2_act'), apply(bn('block1_conv2_bn'), x));
  ENTRY_FILTERS.forEach((f, i) => {
    x = downBlock(x, i + 2, [f, f], i > 0, namer);
  });
  for (let i = 0; i < MIDDLE_BLOCKS; i++) {
    const p = `block${i + 5}`;
    const residual = x;
    for (let c = 1; c <= 3; c++) {
      x = apply(relu(`${p}_sepconv${c}_act`), x);
      x = apply(bn(`${p}_sepconv${c}_bn`), apply(sepConv(MIDDLE_FILTERS, `${p}_sepconv${c}`), x));
    }
    x = apply(tf.layers.add({ name: namer.next('add') }), [x, residual]);
  }
  x = downBlock(x, 13, [728, 1024], true, namer);
  x = apply(relu('block14_sepconv1_act'), apply(bn('block14_sepconv1_bn'), apply(sepConv(1536, 'block14_sepconv1'), x)));
  x = apply(relu('block14_sepconv2_act'), apply(bn('block14_sepconv2_bn'), apply(sepConv(2048, 'block14_sepconv2'), x)));
  if (o.includeTop) {
    x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    x = apply(tf.layers.dense({ units: o.classes, activation: (o.classifierActivation ?? 'linear') as 'linear', name: 'predictions' }), x);
  } else {
    x = poolFeatures(x, o.pooling, { avg: 'avg_pool', max: 'max_pool' });
  }
  return tf.model({ inputs: input, outputs: x, name: 'xception' });
}

// The auto-named layers by Keras 3 counter, mapped onto the block they close.
const SHORTCUT_BLOCKS = ['block2', 'block3', 'block4', 'block13']; // conv2d, batch_normalization (_1, _2, _3)
const ADD_BLOCKS = ['block2', 'block3', 'block4', ...Array.from({ length: MIDDLE_BLOCKS }, (_, i) => `block${i + 5}`), 'block13'];

/** 'block1' (stem) … 'block14', then 'top'; shortcut convs, their BNs and adds go with their block. */
function blockOf(layer: string): string | null {
  const named = /^(block\d+)_/.exec(layer);
  if (named) return named[1];
  const auto = /^(conv2d|batch_normalization|add)(?:_(\d+))?$/.exec(layer);
  if (auto) {
    const n = auto[2] ? Number(auto[2]) : 0;
    return (auto[1] === 'add' ? ADD_BLOCKS[n] : SHORTCUT_BLOCKS[n]) ?? null;
  }
  if (layer === 'avg_pool' || layer === 'max_pool' || layer === 'predictions') return 'top';
  return null;
}

export const specs: readonly ModelSpec[] = [
  kerasSpec({
    kerasName: 'Xception',
    family: 'xception',
    paper: {
      title: 'Xception: Deep Learning with Depthwise Separable Convolutions',
      authors: 'François Chollet',
      year: 2017,
      url: 'https://arxiv.org/abs/1610.02357',
    },
    story:
      'Xception takes the Inception hypothesis to an eXtreme: cross-channel correlations are captured by 1x1 convolutions and spatial correlations separately within each channel, ' +
      'which is exactly a depthwise separable convolution. It replaces every Inception module with such convolutions, adds ResNet-style shortcuts around them, ' +
      'and reaches better accuracy than Inception-V3 with about the same number of parameters (23M).',
    fixedInputWithTop: false,
    featureLayer: 'block14_sepconv2_act',
    build: buildXception,
    blockOf,
  }),
];
