// SPDX-License-Identifier: MIT
// Inception-v4 (Szegedy et al. 2016, figures 3-9), laid out as TF-slim's inception_v4.py and its Keras
// port (kentsommer/keras-inceptionV4), with TF-slim's block names (Conv2d_1a_3x3, Mixed_5b, ...) in
// lower case. Every conv is conv2d_bn: Conv2D without bias, BatchNormalization (eps 1e-3), ReLU.
// The 42,679,816 parameters usually quoted (1000 classes) are the PyTorch port's (Cadene's
// pretrainedmodels, timm's inception_v4): BatchNorm with a scale (gamma) and an offset (beta), running
// statistics not counted. That is this model's trainable count; countParams() adds 63,168 moving
// mean/variance values (42,742,984). The Keras port uses BatchNorm(scale=False) and 1001 classes:
// 42,648,232 trainable with 1000 classes, so it is not the variant that gives the quoted figure.
import * as tf from '@tensorflow/tfjs';
import { resolveOptions } from '../builder-kit';
import { blockMatcher, globalPool, predictions } from '../classic-kit';
import type { BuildOptions, ModelSpec } from '../types';

type T = tf.SymbolicTensor;

/** [filters, rows, cols, strides?, padding?] of one conv2d_bn. */
type Conv = [filters: number, rows: number, cols: number, strides?: number, padding?: 'same' | 'valid'];

const BN_SCALE = true; // see the header: gamma + beta, as the PyTorch port

function makeOps() {
  const convBn = (x: T, [filters, rows, cols, strides = 1, padding = 'same']: Conv, name: string): T => {
    let y = tf.layers
      .conv2d({ filters, kernelSize: [rows, cols], strides, padding, useBias: false, name: `${name}_conv` })
      .apply(x) as T;
    y = tf.layers.batchNormalization({ axis: 3, epsilon: 1e-3, scale: BN_SCALE, name: `${name}_bn` }).apply(y) as T;
    return tf.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(y) as T;
  };
  /** One branch: a chain of conv2d_bn named `<block>_branch<b>_<i>`. */
  const branch = (x: T, convs: Conv[], name: string): T => convs.reduce((y, c, i) => convBn(y, c, `${name}_${i}`), x);
  const maxPool = (x: T, name: string) =>
    tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name }).apply(x) as T;
  const avgPool = (x: T, name: string) =>
    tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name }).apply(x) as T;
  const concat = (xs: T[], name: string) => tf.layers.concatenate({ axis: 3, name }).apply(xs) as T;
  return { convBn, branch, maxPool, avgPool, concat };
}

function buildInceptionV4(opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: 'InceptionV4', defaultSize: 299, minSize: 75 });
  const { convBn, branch, maxPool, avgPool, concat } = makeOps();
  const input = tf.input({ shape: o.inputShape, name: 'input_layer' });

  // Stem (figure 3): 299x299x3 -> 35x35x384
  let x = convBn(input, [32, 3, 3, 2, 'valid'], 'conv2d_1a_3x3');
  x = convBn(x, [32, 3, 3, 1, 'valid'], 'conv2d_2a_3x3');
  x = convBn(x, [64, 3, 3], 'conv2d_2b_3x3');
  x = concat([maxPool(x, 'mixed_3a_branch0_pool'), branch(x, [[96, 3, 3, 2, 'valid']], 'mixed_3a_branch1')], 'mixed_3a');
  x = concat(
    [
      branch(x, [[64, 1, 1], [96, 3, 3, 1, 'valid']], 'mixed_4a_branch0'),
      branch(x, [[64, 1, 1], [64, 1, 7], [64, 7, 1], [96, 3, 3, 1, 'valid']], 'mixed_4a_branch1'),
    ],
    'mixed_4a',
  );
  x = concat([branch(x, [[192, 3, 3, 2, 'valid']], 'mixed_5a_branch0'), maxPool(x, 'mixed_5a_branch1_pool')], 'mixed_5a');

  // 4 x Inception-A (figure 4): 35x35x384
  for (const b of ['5b', '5c', '5d', '5e']) {
    const n = `mixed_${b}`;
    x = concat(
      [
        branch(x, [[96, 1, 1]], `${n}_branch0`),
        branch(x, [[64, 1, 1], [96, 3, 3]], `${n}_branch1`),
        branch(x, [[64, 1, 1], [96, 3, 3], [96, 3, 3]], `${n}_branch2`),
        branch(avgPool(x, `${n}_branch3_pool`), [[96, 1, 1]], `${n}_branch3`),
      ],
      n,
    );
  }
  // Reduction-A (figure 7, k=192 l=224 m=256 n=384): -> 17x17x1024
  x = concat(
    [
      branch(x, [[384, 3, 3, 2, 'valid']], 'mixed_6a_branch0'),
      branch(x, [[192, 1, 1], [224, 3, 3], [256, 3, 3, 2, 'valid']], 'mixed_6a_branch1'),
      maxPool(x, 'mixed_6a_branch2_pool'),
    ],
    'mixed_6a',
  );
  // 7 x Inception-B (figure 5): 17x17x1024
  for (const b of ['6b', '6c', '6d', '6e', '6f', '6g', '6h']) {
    const n = `mixed_${b}`;
    x = concat(
      [
        branch(x, [[384, 1, 1]], `${n}_branch0`),
        branch(x, [[192, 1, 1], [224, 1, 7], [256, 7, 1]], `${n}_branch1`),
        branch(x, [[192, 1, 1], [192, 7, 1], [224, 1, 7], [224, 7, 1], [256, 1, 7]], `${n}_branch2`),
        branch(avgPool(x, `${n}_branch3_pool`), [[128, 1, 1]], `${n}_branch3`),
      ],
      n,
    );
  }
  // Reduction-B (figure 8): -> 8x8x1536
  x = concat(
    [
      branch(x, [[192, 1, 1], [192, 3, 3, 2, 'valid']], 'mixed_7a_branch0'),
      branch(x, [[256, 1, 1], [256, 1, 7], [320, 7, 1], [320, 3, 3, 2, 'valid']], 'mixed_7a_branch1'),
      maxPool(x, 'mixed_7a_branch2_pool'),
    ],
    'mixed_7a',
  );
  // 3 x Inception-C (figure 6): 8x8x1536
  for (const b of ['7b', '7c', '7d']) {
    const n = `mixed_${b}`;
    const b1 = branch(x, [[384, 1, 1]], `${n}_branch1`);
    const b2 = branch(x, [[384, 1, 1], [448, 3, 1], [512, 1, 3]], `${n}_branch2`);
    x = concat(
      [
        branch(x, [[256, 1, 1]], `${n}_branch0`),
        concat([convBn(b1, [256, 1, 3], `${n}_branch1_a`), convBn(b1, [256, 3, 1], `${n}_branch1_b`)], `${n}_branch1_concat`),
        concat([convBn(b2, [256, 1, 3], `${n}_branch2_a`), convBn(b2, [256, 3, 1], `${n}_branch2_b`)], `${n}_branch2_concat`),
        branch(avgPool(x, `${n}_branch3_pool`), [[256, 1, 1]], `${n}_branch3`),
      ],
      n,
    );
  }
  if (o.includeTop) {
    // TF-slim: 8x8 average pool, dropout (keep 0.8), logits. Global pooling is the same at 299.
    x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as T;
    x = tf.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(x) as T;
    x = predictions(x, o.classes, o.classifierActivation);
  } else {
    x = globalPool(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: 'inception_v4' });
}

/** Inception-v4. */
export const specs: readonly ModelSpec[] = [
  {
    id: 'inceptionv4',
    name: 'InceptionV4',
    family: 'inception-v4',
    kind: 'classic',
    paper: {
      title: 'Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning',
      authors: 'C. Szegedy, S. Ioffe, V. Vanhoucke, A. Alemi',
      year: 2016,
      url: 'https://arxiv.org/abs/1602.07261',
    },
    story:
      'Inception-v4 streamlines the Inception family into a uniform design: a deeper stem, then 4, 7 and 3 ' +
      'Inception modules of three kinds separated by dedicated reduction blocks, using the factorised n x 1 and ' +
      '1 x n convolutions and batch normalisation of Inception-v3.',
    defaultInputSize: 299,
    minInputSize: 75,
    fixedInputWithTop: false,
    // The TF-slim weights (and the Keras port's) were trained on x/127.5 - 1.
    preprocess: 'tf',
    // Paper, table 2 (single crop): top-1 error 20.0%, top-5 error 5.0%.
    reference: { top1: 0.8, top5: 0.95 },
    params: { top: 42_679_816, notop: 41_142_816 },
    featureLayer: 'mixed_7d',
    build: buildInceptionV4,
    blockOf: blockMatcher([/^(conv2d_\d[ab]_3x3)_/, /^(mixed_\d[a-h])(_|$)/], ['avg_pool', 'dropout', 'predictions']),
  },
];
