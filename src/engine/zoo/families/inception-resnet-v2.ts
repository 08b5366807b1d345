// SPDX-License-Identifier: MIT
// InceptionResNetV2, layer for layer as keras/src/applications/inception_resnet_v2.py builds it.
import * as tf from '@tensorflow/tfjs';
import { BlockIndex, imageInput, KerasNamer, kerasTail, resolveOptions } from '../builder-kit';
import { kerasFacts, kerasReferenceFigures } from '../keras-facts';
import { CustomScaleLayer } from '../layers/custom-scale-layer';
import type { BuildOptions, ModelSpec } from '../types';

type BlockType = 'block35' | 'block17' | 'block8';
/** One conv2d_bn: [filters, kernel (square or [rows, cols])]. */
type Conv = [filters: number, kernel: number | [number, number]];

/** The branches of each residual Inception block, in Keras's call order. */
const RESIDUAL_BRANCHES: Record<BlockType, Conv[][]> = {
  block35: [[[32, 1]], [[32, 1], [32, 3]], [[32, 1], [48, 3], [64, 3]]],
  block17: [[[192, 1]], [[128, 1], [160, [1, 7]], [192, [7, 1]]]],
  block8: [[[192, 1]], [[192, 1], [224, [1, 3]], [256, [3, 1]]]],
};

/** The repeated stages: how many blocks and the residual scale Keras uses for each. */
const STAGES: { type: BlockType; count: number; scale: number }[] = [
  { type: 'block35', count: 10, scale: 0.17 },
  { type: 'block17', count: 20, scale: 0.1 },
  { type: 'block8', count: 10, scale: 0.2 },
];

const PAPER = {
  title: 'Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning',
  authors: 'C. Szegedy, S. Ioffe, V. Vanhoucke, A. Alemi',
  year: 2016,
  url: 'https://arxiv.org/abs/1602.07261',
};

type T = tf.SymbolicTensor;
const BLOCKS = new BlockIndex();

function buildInceptionResNetV2(opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: 'InceptionResNetV2', defaultSize: 299, minSize: 75 });
  const n = new KerasNamer();
  n.block = 'stem';
  const convBn = (
    x: T,
    filters: number,
    kernelSize: number | [number, number],
    { strides = 1, padding = 'same', activation = 'relu', useBias = false, name }: {
      strides?: number;
      padding?: 'same' | 'valid';
      activation?: 'relu' | null;
      useBias?: boolean;
      name?: string;
    } = {},
  ): T => {
    let y = tf.layers.conv2d({ filters, kernelSize, strides, padding, useBias, name: n.name(name, 'conv2d') }).apply(x) as T;
    if (!useBias) {
      y = tf.layers.batchNormalization({ axis: 3, scale: false, name: n.name(name && `${name}_bn`, 'batch_normalization') }).apply(y) as T;
    }
    if (activation) y = tf.layers.activation({ activation, name: n.name(name && `${name}_ac`, 'activation') }).apply(y) as T;
    return y;
  };
  const chain = (x: T, convs: Conv[], last: { strides?: number; padding?: 'valid' } = {}): T =>
    convs.reduce((y, [f, k], i) => convBn(y, f, k, i === convs.length - 1 ? last : {}), x);
  const maxPool = (x: T) => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: n.next('max_pooling2d') }).apply(x) as T;
  const concat = (xs: T[], name: string) => tf.layers.concatenate({ axis: 3, name: n.fixed(name) }).apply(xs) as T;

  const residualBlock = (x: T, type: BlockType, idx: number, scale: number, activation: 'relu' | null = 'relu'): T => {
    const blockName = `${type}_${idx}`;
    n.block = blockName;
    const branches = RESIDUAL_BRANCHES[type].map((convs) => chain(x, convs));
    const mixed = concat(branches, `${blockName}_mixed`);
    const up = convBn(mixed, x.shape[3] as number, 1, { activation: null, useBias: true, name: `${blockName}_conv` });
    let y = new CustomScaleLayer({ scale, name: n.next('custom_scale_layer') }).apply([x, up]) as T;
    if (activation) y = tf.layers.activation({ activation, name: n.fixed(`${blockName}_ac`) }).apply(y) as T;
    return y;
  };

  const input = imageInput(o.inputShape, n);
  let x = convBn(input, 32, 3, { strides: 2, padding: 'valid' });
  x = convBn(x, 32, 3, { padding: 'valid' });
  x = convBn(x, 64, 3);
  x = maxPool(x);
  x = convBn(x, 80, 1, { padding: 'valid' });
  x = convBn(x, 192, 3, { padding: 'valid' });
  x = maxPool(x);

  // Mixed 5b (Inception-A block): 35 x 35 x 320
  n.block = 'mixed_5b';
  {
    const b0 = convBn(x, 96, 1);
    const b1 = chain(x, [[48, 1], [64, 5]]);
    const b2 = chain(x, [[64, 1], [96, 3], [96, 3]]);
    const pool = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: n.next('average_pooling2d') }).apply(x) as T;
    x = concat([b0, b1, b2, convBn(pool, 64, 1)], 'mixed_5b');
  }

  const [s35, s17, s8] = STAGES;
  for (let i = 1; i <= s35.count; i++) x = residualBlock(x, s35.type, i, s35.scale);

  // Mixed 6a (Reduction-A block): 17 x 17 x 1088
  n.block = 'mixed_6a';
  x = concat(
    [convBn(x, 384, 3, { strides: 2, padding: 'valid' }), chain(x, [[256, 1], [256, 3], [384, 3]], { strides: 2, padding: 'valid' }), maxPool(x)],
    'mixed_6a',
  );

  for (let i = 1; i <= s17.count; i++) x = residualBlock(x, s17.type, i, s17.scale);

  // Mixed 7a (Reduction-B block): 8 x 8 x 2080
  n.block = 'mixed_7a';
  {
    const red = { strides: 2, padding: 'valid' } as const;
    const b0 = chain(x, [[256, 1], [384, 3]], red);
    const b1 = chain(x, [[256, 1], [288, 3]], red);
    const b2 = chain(x, [[256, 1], [288, 3], [320, 3]], red);
    x = concat([b0, b1, b2, maxPool(x)], 'mixed_7a');
  }

  // The last block8 has no activation (scale 1.0), as in the paper's final residual block.
  for (let i = 1; i < s8.count; i++) x = residualBlock(x, s8.type, i, s8.scale);
  x = residualBlock(x, s8.type, s8.count, 1.0, null);

  n.block = 'conv_7b';
  x = convBn(x, 1536, 1, { name: 'conv_7b' });

  n.block = 'top';
  const out = kerasTail(x, o, n, { gapName: 'avg_pool' });
  BLOCKS.remember('InceptionResNetV2', n.blocks);
  return tf.model({ inputs: input, outputs: out, name: 'inception_resnet_v2' });
}

const facts = kerasFacts('InceptionResNetV2');

export const specs: readonly ModelSpec[] = [
  {
    id: 'inceptionresnetv2',
    name: 'InceptionResNetV2',
    family: 'inception-resnet-v2',
    kind: 'keras',
    paper: PAPER,
    story:
      'Inception-ResNet joins the Inception idea of doing 1x1, 3x3 and 5x5 work side by side in one module with ' +
      'ResNet skip connections: each Inception block adds its scaled output back onto its input, so gradients ' +
      'reach the early layers of a very deep network, which trains faster and generalises better.',
    defaultInputSize: 299,
    minInputSize: 75,
    fixedInputWithTop: false,
    preprocess: 'tf',
    reference: kerasReferenceFigures('InceptionResNetV2'),
    params: { top: facts.total_params_top, notop: facts.total_params_notop },
    featureLayer: 'conv_7b_ac',
    build: buildInceptionResNetV2,
    // The stem, mixed_5b, block35_1..10, mixed_6a, block17_1..20, mixed_7a, block8_1..10, conv_7b, top.
    blockOf: BLOCKS.lookup('InceptionResNetV2', () => buildInceptionResNetV2({ includeTop: false, inputShape: [75, 75, 3] }), ['avg_pool', 'predictions']),
  },
];
