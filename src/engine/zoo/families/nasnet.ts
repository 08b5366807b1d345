// SPDX-License-Identifier: MIT
// NASNetMobile and NASNetLarge (NASNet-A), layer for layer as keras/src/applications/nasnet.py
// builds them. Keras's backend.name_scope around the cells does not change layer names.
import * as tf from '@tensorflow/tfjs';
import { BlockIndex, correctPad, imageInput, KerasNamer, kerasTail, resolveOptions } from '../builder-kit';
import { kerasFacts, kerasReferenceFigures } from '../keras-facts';
import type { BuildOptions, ModelSpec } from '../types';

interface NasnetVariant {
  name: string;
  defaultSize: number;
  penultimateFilters: number;
  /** Normal cells between reductions. */
  numBlocks: number;
  stemBlockFilters: number;
  /** Large keeps feeding the pre-reduction input as `p` to the next normal cell. */
  skipReduction: boolean;
  filterMultiplier: number;
  /** Keras's auto name of the last ReLU (the feature layer), fixed by the layer count. */
  featureLayer: string;
}

const VARIANTS: readonly NasnetVariant[] = [
  {
    name: 'NASNetMobile',
    defaultSize: 224,
    penultimateFilters: 1056,
    numBlocks: 4,
    stemBlockFilters: 32,
    skipReduction: false,
    filterMultiplier: 2,
    featureLayer: 'activation_187',
  },
  {
    name: 'NASNetLarge',
    defaultSize: 331,
    penultimateFilters: 4032,
    numBlocks: 6,
    stemBlockFilters: 96,
    skipReduction: true,
    filterMultiplier: 2,
    featureLayer: 'activation_259',
  },
];

// NASNet's batch norms use TF-slim's settings, not the Keras defaults.
const BN = { axis: -1, momentum: 0.9997, epsilon: 1e-3 } as const;

const PAPER = {
  title: 'Learning Transferable Architectures for Scalable Image Recognition',
  authors: 'B. Zoph, V. Vasudevan, J. Shlens, Q. V. Le',
  year: 2017,
  url: 'https://arxiv.org/abs/1707.07012',
};

type T = tf.SymbolicTensor;
type Pair = [number, number];
const BLOCKS = new BlockIndex();

function buildNasnet(v: NasnetVariant, opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: v.name, defaultSize: v.defaultSize, minSize: 32, fixedInputWithTop: true });
  const n = new KerasNamer();
  const relu = (x: T, name?: string) => tf.layers.activation({ activation: 'relu', name: n.name(name, 'activation') }).apply(x) as T;
  const bn = (x: T, name: string) => tf.layers.batchNormalization({ ...BN, name: n.fixed(name) }).apply(x) as T;
  const conv1x1 = (x: T, filters: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: n.fixed(name) }).apply(x) as T;
  const zeroPad = (x: T, padding: [Pair, Pair], name?: string) =>
    tf.layers.zeroPadding2d({ padding, name: n.name(name, 'zero_padding2d') }).apply(x) as T;
  const pool = (kind: 'avg' | 'max', x: T, size: number, strides: number, padding: 'same' | 'valid', name: string) =>
    (kind === 'avg' ? tf.layers.averagePooling2d : tf.layers.maxPooling2d)({ poolSize: size, strides, padding, name: n.fixed(name) }).apply(x) as T;
  const add = (xs: T[], name?: string) => tf.layers.add({ name: n.name(name, 'add') }).apply(xs) as T;
  const concat = (xs: T[], name?: string) => tf.layers.concatenate({ axis: -1, name: n.name(name, 'concatenate') }).apply(xs) as T;

  const sepBlock = (ip: T, filters: number, kernel: number, strides: 1 | 2, id: string): T => {
    let x = relu(ip);
    if (strides === 2) x = zeroPad(x, correctPad(x, kernel), `separable_conv_1_pad_${id}`);
    const sep = (y: T, s: number, pad: 'same' | 'valid', name: string) =>
      tf.layers.separableConv2d({ filters, kernelSize: kernel, strides: s, padding: pad, useBias: false, name: n.fixed(name) }).apply(y) as T;
    x = bn(sep(x, strides, strides === 2 ? 'valid' : 'same', `separable_conv_1_${id}`), `separable_conv_1_bn_${id}`);
    x = relu(x);
    return bn(sep(x, 1, 'same', `separable_conv_2_${id}`), `separable_conv_2_bn_${id}`);
  };

  /** Brings the previous cell's output `p` to the shape of `ip` (Keras `_adjust_block`). */
  const adjust = (p: T | null, ip: T, filters: number, id: string): T => {
    if (p === null) return ip;
    // Static shapes decide the branch, as in Keras; NASNet therefore needs a fixed input size.
    if (p.shape[2] !== ip.shape[2]) {
      p = relu(p, `adjust_relu_1_${id}`);
      let p1 = pool('avg', p, 1, 2, 'valid', `adjust_avg_pool_1_${id}`);
      p1 = conv1x1(p1, Math.floor(filters / 2), `adjust_conv_1_${id}`);
      // Shift by one pixel so the second path samples the other half of the grid.
      let p2 = zeroPad(p, [[0, 1], [0, 1]]);
      p2 = tf.layers.cropping2D({ cropping: [[1, 0], [1, 0]], name: n.next('cropping2d') }).apply(p2) as T;
      p2 = pool('avg', p2, 1, 2, 'valid', `adjust_avg_pool_2_${id}`);
      p2 = conv1x1(p2, Math.floor(filters / 2), `adjust_conv_2_${id}`);
      return bn(concat([p1, p2]), `adjust_bn_${id}`);
    }
    if (p.shape[3] !== filters) {
      return bn(conv1x1(relu(p), filters, `adjust_conv_projection_${id}`), `adjust_bn_${id}`);
    }
    return p;
  };

  const normalCell = (ip: T, prev: T | null, filters: number, id: string): [T, T] => {
    const p = adjust(prev, ip, filters, id);
    const h = bn(conv1x1(relu(ip), filters, `normal_conv_1_${id}`), `normal_bn_1_${id}`);
    const x1 = add([sepBlock(h, filters, 5, 1, `normal_left1_${id}`), sepBlock(p, filters, 3, 1, `normal_right1_${id}`)], `normal_add_1_${id}`);
    const x2 = add([sepBlock(p, filters, 5, 1, `normal_left2_${id}`), sepBlock(p, filters, 3, 1, `normal_right2_${id}`)], `normal_add_2_${id}`);
    const x3 = add([pool('avg', h, 3, 1, 'same', `normal_left3_${id}`), p], `normal_add_3_${id}`);
    const x4 = add([pool('avg', p, 3, 1, 'same', `normal_left4_${id}`), pool('avg', p, 3, 1, 'same', `normal_right4_${id}`)], `normal_add_4_${id}`);
    const x5 = add([sepBlock(h, filters, 3, 1, `normal_left5_${id}`), h], `normal_add_5_${id}`);
    return [concat([p, x1, x2, x3, x4, x5], `normal_concat_${id}`), ip];
  };

  const reductionCell = (ip: T, prev: T | null, filters: number, id: string): [T, T] => {
    const p = adjust(prev, ip, filters, id);
    const h = bn(conv1x1(relu(ip), filters, `reduction_conv_1_${id}`), `reduction_bn_1_${id}`);
    const h3 = zeroPad(h, correctPad(h, 3), `reduction_pad_1_${id}`);
    const x1 = add([sepBlock(h, filters, 5, 2, `reduction_left1_${id}`), sepBlock(p, filters, 7, 2, `reduction_right1_${id}`)], `reduction_add_1_${id}`);
    const x2 = add([pool('max', h3, 3, 2, 'valid', `reduction_left2_${id}`), sepBlock(p, filters, 7, 2, `reduction_right2_${id}`)], `reduction_add_2_${id}`);
    const x3 = add([pool('avg', h3, 3, 2, 'valid', `reduction_left3_${id}`), sepBlock(p, filters, 5, 2, `reduction_right3_${id}`)], `reduction_add3_${id}`);
    const x4 = add([x2, pool('avg', x1, 3, 1, 'same', `reduction_left4_${id}`)]);
    // Keras reuses the 'reduction_left4_' id for this separable block (its left4 is the pool above).
    const x5 = add([sepBlock(x1, filters, 3, 1, `reduction_left4_${id}`), pool('max', h3, 3, 2, 'valid', `reduction_right5_${id}`)], `reduction_add4_${id}`);
    return [concat([x2, x3, x4, x5], `reduction_concat_${id}`), ip];
  };

  const fm = v.filterMultiplier;
  const filters = Math.floor(v.penultimateFilters / 24);
  n.block = 'stem';
  const input = imageInput(o.inputShape, n);
  let x = tf.layers
    .conv2d({ filters: v.stemBlockFilters, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: 'heNormal', name: n.fixed('stem_conv1') })
    .apply(input) as T;
  x = bn(x, 'stem_bn1');
  let p: T | null = null;
  [x, p] = reductionCell(x, p, Math.floor(filters / fm ** 2), 'stem_1');
  [x, p] = reductionCell(x, p, Math.floor(filters / fm), 'stem_2');

  const nb = v.numBlocks;
  for (let stage = 0; stage < 3; stage++) {
    const f = filters * fm ** stage;
    if (stage > 0) {
      const id = `reduce_${stage * nb}`;
      n.block = id;
      let p0: T;
      [x, p0] = reductionCell(x, p, f, id);
      if (!v.skipReduction) p = p0;
    }
    for (let i = 0; i < nb; i++) {
      const id = `${stage * nb + (stage > 0 ? 1 : 0) + i}`;
      n.block = `cell_${id}`;
      [x, p] = normalCell(x, p, f, id);
    }
  }

  n.block = 'top';
  x = relu(x);
  const out = kerasTail(x, o, n);
  const model = tf.model({ inputs: input, outputs: out, name: v.name === 'NASNetMobile' ? 'nasnet_mobile' : 'nasnet_large' });
  BLOCKS.remember(v.name, blocksByCellOutput(model, n.blocks));
  return model;
}

/**
 * Each cell's `_adjust_block` works on the output of the cell two back, so in Keras's layer
 * order (by depth) those layers sit among the previous cell's layers. Freezing needs each
 * block to be one run of layers, so a layer belongs to the cell whose output (its concat)
 * comes next in layer order; layers after the last cell are the head.
 */
function blocksByCellOutput(model: tf.LayersModel, built: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  let block = 'top';
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const name = model.layers[i].name;
    if (/^(normal|reduction)_concat_/.test(name)) block = built.get(name) ?? block;
    out.set(name, block);
  }
  return out;
}

export const specs: readonly ModelSpec[] = VARIANTS.map((v): ModelSpec => {
  const facts = kerasFacts(v.name);
  return {
    id: v.name.toLowerCase(),
    name: v.name,
    family: 'nasnet',
    kind: 'keras',
    paper: PAPER,
    story:
      'NASNet was not designed by hand: a controller network searched for the best convolutional cell on a small ' +
      'dataset, and copies of that normal cell and reduction cell were stacked into ImageNet-sized networks. ' +
      'The same cells give both NASNetMobile (about 5M parameters) and NASNetLarge (about 89M).',
    defaultInputSize: v.defaultSize,
    minInputSize: 32,
    fixedInputWithTop: true,
    preprocess: facts.preprocess_mode,
    reference: kerasReferenceFigures(v.name),
    params: { top: facts.total_params_top, notop: facts.total_params_notop },
    featureLayer: v.featureLayer,
    build: (opts?: BuildOptions) => buildNasnet(v, opts),
    // 'stem' (stem conv and the stem_1/stem_2 reduction cells), 'cell_0'..., 'reduce_N', 'top'.
    blockOf: BLOCKS.lookup(v.name, () => buildNasnet(v, { includeTop: false, inputShape: [32, 32, 3] }), ['global_average_pooling2d', 'predictions']),
  };
});
