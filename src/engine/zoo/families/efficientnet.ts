// SPDX-License-Identifier: MIT
// EfficientNetB0..B7, layer for layer as keras/src/applications/efficientnet.py builds them
// with weights='imagenet' (the input normalization is part of the graph).
import * as tf from '@tensorflow/tfjs';
import { BlockIndex, correctPad, imageInput, KerasNamer, kerasTail, resolveOptions } from '../builder-kit';
import { kerasFacts, kerasReferenceFigures } from '../keras-facts';
import { Normalization } from '../layers/normalization';
import { Rescaling } from '../layers/rescaling';
import type { BuildOptions, ModelSpec } from '../types';

interface BlockArgs {
  kernelSize: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  idSkip: boolean;
  strides: 1 | 2;
  seRatio: number;
}

/** Keras's DEFAULT_BLOCKS_ARGS: the B0 stages, scaled by each variant's coefficients. */
const DEFAULT_BLOCKS_ARGS: readonly BlockArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, idSkip: true, strides: 1, seRatio: 0.25 },
];

// Keras feeds the ImageNet stddev as the Normalization *variance* (tensorflow issue #49930)
// and makes up for it with an extra Rescaling(1/sqrt(stddev)), only when weights='imagenet'.
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225];
const DROP_CONNECT_RATE = 0.2;
const DEPTH_DIVISOR = 8;

/** [Keras name, width coefficient, depth coefficient, default size, top dropout]. */
const VARIANTS: readonly [string, number, number, number, number][] = [
  ['EfficientNetB0', 1.0, 1.0, 224, 0.2],
  ['EfficientNetB1', 1.0, 1.1, 240, 0.2],
  ['EfficientNetB2', 1.1, 1.2, 260, 0.3],
  ['EfficientNetB3', 1.2, 1.4, 300, 0.3],
  ['EfficientNetB4', 1.4, 1.8, 380, 0.4],
  ['EfficientNetB5', 1.6, 2.2, 456, 0.4],
  ['EfficientNetB6', 1.8, 2.6, 528, 0.5],
  ['EfficientNetB7', 2.0, 3.1, 600, 0.5],
];

const PAPER = {
  title: 'EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks',
  authors: 'M. Tan, Q. V. Le',
  year: 2019,
  url: 'https://arxiv.org/abs/1905.11946',
};

type T = tf.SymbolicTensor;
const BLOCKS = new BlockIndex();

interface Variant {
  name: string;
  width: number;
  depth: number;
  size: number;
  dropout: number;
}

function buildEfficientNet(v: Variant, opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: v.name, defaultSize: v.size, minSize: 32 });
  const n = new KerasNamer();
  const roundFilters = (filters: number): number => {
    const f = filters * v.width;
    let nf = Math.max(DEPTH_DIVISOR, Math.floor(Math.floor(f + DEPTH_DIVISOR / 2) / DEPTH_DIVISOR) * DEPTH_DIVISOR);
    if (nf < 0.9 * f) nf += DEPTH_DIVISOR; // never round down by more than 10%
    return nf;
  };
  const roundRepeats = (repeats: number): number => Math.ceil(v.depth * repeats);
  const conv = (x: T, filters: number, name: string, extra: { strides?: number; padding?: 'same' | 'valid'; kernelSize?: number } = {}) =>
    tf.layers
      .conv2d({ filters, kernelSize: extra.kernelSize ?? 1, strides: extra.strides ?? 1, padding: extra.padding ?? 'same', useBias: false, name: n.fixed(name) })
      .apply(x) as T;
  const bn = (x: T, name: string) => tf.layers.batchNormalization({ axis: 3, name: n.fixed(name) }).apply(x) as T;
  const act = (x: T, name: string) => tf.layers.activation({ activation: 'swish', name: n.fixed(name) }).apply(x) as T;
  const pad = (x: T, kernel: number, name: string) =>
    tf.layers.zeroPadding2d({ padding: correctPad(x, kernel), name: n.fixed(name) }).apply(x) as T;

  const block = (inputs: T, a: BlockArgs, dropRate: number, name: string): T => {
    const filters = a.filtersIn * a.expandRatio;
    let x = inputs;
    if (a.expandRatio !== 1) x = act(bn(conv(x, filters, `${name}expand_conv`), `${name}expand_bn`), `${name}expand_activation`);
    if (a.strides === 2) x = pad(x, a.kernelSize, `${name}dwconv_pad`);
    x = tf.layers
      .depthwiseConv2d({
        kernelSize: a.kernelSize,
        strides: a.strides,
        padding: a.strides === 2 ? 'valid' : 'same',
        useBias: false,
        name: n.fixed(`${name}dwconv`),
      })
      .apply(x) as T;
    x = act(bn(x, `${name}bn`), `${name}activation`);
    if (a.seRatio > 0 && a.seRatio <= 1) {
      // Squeeze-and-excitation: per-channel gates from the globally pooled features.
      const filtersSe = Math.max(1, Math.floor(a.filtersIn * a.seRatio));
      let se = tf.layers.globalAveragePooling2d({ name: n.fixed(`${name}se_squeeze`) }).apply(x) as T;
      se = tf.layers.reshape({ targetShape: [1, 1, filters], name: n.fixed(`${name}se_reshape`) }).apply(se) as T;
      se = tf.layers.conv2d({ filters: filtersSe, kernelSize: 1, padding: 'same', activation: 'swish', name: n.fixed(`${name}se_reduce`) }).apply(se) as T;
      se = tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', activation: 'sigmoid', name: n.fixed(`${name}se_expand`) }).apply(se) as T;
      x = tf.layers.multiply({ name: n.fixed(`${name}se_excite`) }).apply([x, se]) as T;
    }
    x = bn(conv(x, a.filtersOut, `${name}project_conv`), `${name}project_bn`);
    if (a.idSkip && a.strides === 1 && a.filtersIn === a.filtersOut) {
      if (dropRate > 0) {
        // Drop-connect: one keep/drop draw per sample. tfjs reads null in noiseShape as "this
        // input's size", as Keras does, but types the option as number[].
        const noiseShape = [null, 1, 1, 1] as unknown as number[];
        x = tf.layers.dropout({ rate: dropRate, noiseShape, name: n.fixed(`${name}drop`) }).apply(x) as T;
      }
      x = tf.layers.add({ name: n.fixed(`${name}add`) }).apply([x, inputs]) as T;
    }
    return x;
  };

  n.block = 'stem';
  const input = imageInput(o.inputShape, n);
  let x = new Rescaling({ scale: 1 / 255, name: n.next('rescaling') }).apply(input) as T;
  x = new Normalization({ axis: 3, name: n.next('normalization') }).apply(x) as T;
  if (opts.imagenetNormalization ?? true) {
    x = new Rescaling({ scale: IMAGENET_STDDEV_RGB.map((s) => 1 / Math.sqrt(s)), name: n.next('rescaling') }).apply(x) as T;
  }
  x = pad(x, 3, 'stem_conv_pad');
  x = act(bn(conv(x, roundFilters(32), 'stem_conv', { kernelSize: 3, strides: 2, padding: 'valid' }), 'stem_bn'), 'stem_activation');

  const total = DEFAULT_BLOCKS_ARGS.reduce((s, a) => s + roundRepeats(a.repeats), 0);
  let b = 0;
  DEFAULT_BLOCKS_ARGS.forEach((stage, i) => {
    const filtersIn = roundFilters(stage.filtersIn);
    const filtersOut = roundFilters(stage.filtersOut);
    for (let j = 0; j < roundRepeats(stage.repeats); j++) {
      const name = `block${i + 1}${String.fromCharCode(97 + j)}`;
      n.block = name;
      const args = j === 0 ? { ...stage, filtersIn, filtersOut } : { ...stage, filtersIn: filtersOut, filtersOut, strides: 1 as const };
      x = block(x, args, (DROP_CONNECT_RATE * b) / total, `${name}_`);
      b++;
    }
  });

  n.block = 'top_conv';
  x = act(bn(conv(x, roundFilters(1280), 'top_conv'), 'top_bn'), 'top_activation');
  n.block = 'top';
  const out = kerasTail(x, o, n, {
    gapName: 'avg_pool',
    dropout: { rate: opts.dropout ?? v.dropout, name: 'top_dropout' },
    poolNames: { avg: 'avg_pool', max: 'max_pool' },
  });
  BLOCKS.remember(v.name, n.blocks);
  return tf.model({ inputs: input, outputs: out, name: v.name.toLowerCase() });
}

export const specs: readonly ModelSpec[] = VARIANTS.map(([name, width, depth, size, dropout]): ModelSpec => {
  const v: Variant = { name, width, depth, size, dropout };
  const facts = kerasFacts(name);
  return {
    id: name.toLowerCase(),
    name,
    family: 'efficientnet',
    kind: 'keras',
    paper: PAPER,
    story:
      'EfficientNet scales a small searched network (B0) up to B7 by growing depth, width and input resolution ' +
      'together with one compound coefficient, instead of growing one of them alone. Its MBConv blocks are ' +
      'MobileNetV2 inverted residuals with squeeze-and-excitation and swish, giving ImageNet accuracy with far fewer parameters.',
    defaultInputSize: size,
    minInputSize: 32,
    fixedInputWithTop: false,
    // 'none': Rescaling and Normalization are in the graph, so it takes 0..255 RGB as Keras does.
    preprocess: facts.preprocess_mode,
    reference: kerasReferenceFigures(name),
    params: { top: facts.total_params_top, notop: facts.total_params_notop },
    featureLayer: 'top_activation',
    build: (opts?: BuildOptions) => buildEfficientNet(v, opts),
    // 'stem', 'block1a' ... 'block7x', 'top_conv', 'top'.
    blockOf: BLOCKS.lookup(name, () => buildEfficientNet(v, { includeTop: false, inputShape: [32, 32, 3] }), ['avg_pool', 'top_dropout', 'predictions']),
  };
});
