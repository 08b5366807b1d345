// SPDX-License-Identifier: MIT
// InceptionV3, layer for layer as keras/src/applications/inception_v3.py builds it.
import * as tf from '@tensorflow/tfjs';
import { BlockIndex, imageInput, KerasNamer, kerasTail, resolveOptions } from '../builder-kit';
import { kerasFacts, kerasReferenceFigures } from '../keras-facts';
import type { BuildOptions, ModelSpec } from '../types';

/** Branch recipes: [filters, rows, cols, strides?, padding?] per conv2d_bn, in Keras's call order. */
type Conv = [filters: number, rows: number, cols: number, strides?: number, padding?: 'same' | 'valid'];

// Kernel counts per mixed block, straight from the Keras source (the 7x7 branches of mixed4..7
// differ only in their inner width: 128, 160, 160, 192).
const MIXED_35 = [32, 64, 64] as const; // pool-branch filters of mixed0..2
const MIXED_17_INNER = [128, 160, 160, 192] as const; // mixed4..7

const PAPER = {
  title: 'Rethinking the Inception Architecture for Computer Vision',
  authors: 'C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna',
  year: 2015,
  url: 'https://arxiv.org/abs/1512.00567',
};

type T = tf.SymbolicTensor;

const BLOCKS = new BlockIndex();

function buildInceptionV3(opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: 'InceptionV3', defaultSize: 299, minSize: 75 });
  const n = new KerasNamer();
  n.block = 'stem';
  const convBn = (x: T, [filters, rows, cols, strides = 1, padding = 'same']: Conv, name?: string): T => {
    let y = tf.layers
      .conv2d({ filters, kernelSize: [rows, cols], strides, padding, useBias: false, name: n.name(name && `${name}_conv`, 'conv2d') })
      .apply(x) as T;
    y = tf.layers.batchNormalization({ axis: 3, scale: false, name: n.name(name && `${name}_bn`, 'batch_normalization') }).apply(y) as T;
    return tf.layers.activation({ activation: 'relu', name: n.name(name, 'activation') }).apply(y) as T;
  };
  const chain = (x: T, convs: Conv[]): T => convs.reduce((y, c) => convBn(y, c), x);
  const avgPool = (x: T) =>
    tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: n.next('average_pooling2d') }).apply(x) as T;
  const maxPool = (x: T) => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: n.next('max_pooling2d') }).apply(x) as T;
  const concat = (xs: T[], name?: string) => tf.layers.concatenate({ axis: 3, name: n.name(name, 'concatenate') }).apply(xs) as T;

  const input = imageInput(o.inputShape, n);
  let x = chain(input, [
    [32, 3, 3, 2, 'valid'],
    [32, 3, 3, 1, 'valid'],
    [64, 3, 3],
  ]);
  x = maxPool(x);
  x = chain(x, [
    [80, 1, 1, 1, 'valid'],
    [192, 3, 3, 1, 'valid'],
  ]);
  x = maxPool(x);

  // mixed0..2: 35 x 35
  MIXED_35.forEach((poolFilters, i) => {
    n.block = `mixed${i}`;
    const b1 = convBn(x, [64, 1, 1]);
    const b5 = chain(x, [[48, 1, 1], [64, 5, 5]]);
    const b3 = chain(x, [[64, 1, 1], [96, 3, 3], [96, 3, 3]]);
    const bp = convBn(avgPool(x), [poolFilters, 1, 1]);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  });

  // mixed3: 35 -> 17
  n.block = 'mixed3';
  {
    const b3 = convBn(x, [384, 3, 3, 2, 'valid']);
    const bd = chain(x, [[64, 1, 1], [96, 3, 3], [96, 3, 3, 2, 'valid']]);
    x = concat([b3, bd, maxPool(x)], 'mixed3');
  }

  // mixed4..7: 17 x 17 with factorised 7x7 convolutions
  MIXED_17_INNER.forEach((c, i) => {
    n.block = `mixed${4 + i}`;
    const b1 = convBn(x, [192, 1, 1]);
    const b7 = chain(x, [[c, 1, 1], [c, 1, 7], [192, 7, 1]]);
    const bd = chain(x, [[c, 1, 1], [c, 7, 1], [c, 1, 7], [c, 7, 1], [192, 1, 7]]);
    const bp = convBn(avgPool(x), [192, 1, 1]);
    x = concat([b1, b7, bd, bp], `mixed${4 + i}`);
  });

  // mixed8: 17 -> 8
  n.block = 'mixed8';
  {
    const b3 = chain(x, [[192, 1, 1], [320, 3, 3, 2, 'valid']]);
    const b7 = chain(x, [[192, 1, 1], [192, 1, 7], [192, 7, 1], [192, 3, 3, 2, 'valid']]);
    x = concat([b3, b7, maxPool(x)], 'mixed8');
  }

  // mixed9, mixed10: 8 x 8 with expanded filter banks
  for (let i = 0; i < 2; i++) {
    n.block = `mixed${9 + i}`;
    const b1 = convBn(x, [320, 1, 1]);
    const b3 = convBn(x, [384, 1, 1]);
    const b3x = concat([convBn(b3, [384, 1, 3]), convBn(b3, [384, 3, 1])], `mixed9_${i}`);
    const bd = chain(x, [[448, 1, 1], [384, 3, 3]]);
    const bdx = concat([convBn(bd, [384, 1, 3]), convBn(bd, [384, 3, 1])]);
    const bp = convBn(avgPool(x), [192, 1, 1]);
    x = concat([b1, b3x, bdx, bp], `mixed${9 + i}`);
  }

  n.block = 'top';
  const out = kerasTail(x, o, n, { gapName: 'avg_pool' });
  BLOCKS.remember('InceptionV3', n.blocks);
  return tf.model({ inputs: input, outputs: out, name: 'inception_v3' });
}

const facts = kerasFacts('InceptionV3');

export const specs: readonly ModelSpec[] = [
  {
    id: 'inceptionv3',
    name: 'InceptionV3',
    family: 'inception-v3',
    kind: 'keras',
    paper: PAPER,
    story:
      'Inception-v3 is a successor to Inception-v1 with about 24M parameters, built to avoid representational ' +
      'bottlenecks. It factorises n x n convolutions into asymmetric 1 x n and n x 1 ones, replaces 5x5 and 7x7 ' +
      'convolutions with stacks of 3x3, and uses batch normalization.',
    defaultInputSize: 299,
    minInputSize: 75,
    fixedInputWithTop: false,
    preprocess: 'tf',
    reference: kerasReferenceFigures('InceptionV3'),
    params: { top: facts.total_params_top, notop: facts.total_params_notop },
    featureLayer: 'mixed10',
    build: buildInceptionV3,
    // Keras's own cut points: the stem, each `mixedN` block, then the head.
    blockOf: BLOCKS.lookup('InceptionV3', () => buildInceptionV3({ includeTop: false, inputShape: [75, 75, 3] }), ['avg_pool', 'predictions']),
  },
];
