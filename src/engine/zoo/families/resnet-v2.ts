// SPDX-License-Identifier: MIT
// ResNet50V2/101V2/152V2 as keras.applications.resnet_v2 builds them: resnet.ts's builder with
// pre-activation blocks (BN and ReLU before each convolution, one post_bn/post_relu at the end).
import * as tf from '@tensorflow/tfjs';
import { KerasNamer } from '../builder-kit';
import { apply, kerasSpec } from '../keras-spec';
import type { ModelSpec } from '../types';
import { buildResNet, RESNET_BN, resnetBlockOf } from './resnet';

/** Blocks per stage conv2..conv5, as in ResNet V1. */
const BLOCKS: Readonly<Record<'ResNet50V2' | 'ResNet101V2' | 'ResNet152V2', readonly [number, number, number, number]>> = {
  ResNet50V2: [3, 4, 6, 3],
  ResNet101V2: [3, 4, 23, 3],
  ResNet152V2: [3, 8, 36, 3],
};
const STAGE_FILTERS = [64, 128, 256, 512] as const;

const PAPER = {
  title: 'Identity Mappings in Deep Residual Networks',
  authors: 'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun',
  year: 2016,
  url: 'https://arxiv.org/abs/1603.05027',
};

type T = tf.SymbolicTensor;

const bn = (name: string) => tf.layers.batchNormalization({ ...RESNET_BN, name });
const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });

/** Keras `residual_block_v2`. The identity shortcut of a stride-2 block is an auto-named 1x1 max pool. */
function residualBlockV2(x: T, filters: number, stride: number, convShortcut: boolean, name: string, namer: KerasNamer): T {
  const preact = apply(relu(`${name}_preact_relu`), apply(bn(`${name}_preact_bn`), x));
  let shortcut: T;
  if (convShortcut) {
    shortcut = apply(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }), preact);
  } else {
    shortcut = stride > 1 ? apply(tf.layers.maxPooling2d({ poolSize: 1, strides: stride, name: namer.next('max_pooling2d') }), x) : x;
  }
  let y = apply(tf.layers.conv2d({ filters, kernelSize: 1, useBias: false, name: `${name}_1_conv` }), preact);
  y = apply(relu(`${name}_1_relu`), apply(bn(`${name}_1_bn`), y));
  y = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: `${name}_2_pad` }), y);
  y = apply(tf.layers.conv2d({ filters, kernelSize: 3, strides: stride, useBias: false, name: `${name}_2_conv` }), y);
  y = apply(relu(`${name}_2_relu`), apply(bn(`${name}_2_bn`), y));
  y = apply(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), y);
  return apply(tf.layers.add({ name: `${name}_out` }), [shortcut, y]);
}

/** V2 downsamples in the last block of conv2..conv4 (V1: the first block of conv3..conv5). */
function stackV2(blocks: readonly number[]) {
  return (x: T): T => {
    const namer = new KerasNamer();
    blocks.forEach((n, s) => {
      const name = `conv${s + 2}`;
      x = residualBlockV2(x, STAGE_FILTERS[s], 1, true, `${name}_block1`, namer);
      for (let i = 2; i < n; i++) x = residualBlockV2(x, STAGE_FILTERS[s], 1, false, `${name}_block${i}`, namer);
      x = residualBlockV2(x, STAGE_FILTERS[s], s === 3 ? 1 : 2, false, `${name}_block${n}`, namer);
    });
    return x;
  };
}

/** resnetBlockOf, plus the auto-named shortcut pools: each belongs to the last block of its stage. */
function blockOfFor(blocks: readonly number[]) {
  const pools = new Map(blocks.slice(0, 3).map((n, s) => [s === 0 ? 'max_pooling2d' : `max_pooling2d_${s}`, `conv${s + 2}_block${n}`]));
  return (layer: string): string | null => resnetBlockOf(layer) ?? pools.get(layer) ?? null;
}

const STORY =
  'ResNetV2 keeps the shortcuts of ResNet (a[l+2] = g(z[l+2] + a[l])) but moves batch normalization and ReLU in front of each convolution, ' +
  'so the shortcut path is a pure identity from block to block and the gradient reaches early layers unchanged. ' +
  'The same depths as ResNet train a little better: ';

export const specs: readonly ModelSpec[] = (Object.keys(BLOCKS) as (keyof typeof BLOCKS)[]).map((kerasName) =>
  kerasSpec({
    kerasName,
    family: 'resnet-v2',
    paper: PAPER,
    story: `${STORY}${kerasName} has ${BLOCKS[kerasName].reduce((a, b) => a + b, 0)} bottleneck blocks.`,
    fixedInputWithTop: false,
    featureLayer: 'post_relu',
    build: (rules, opts) => buildResNet(stackV2(BLOCKS[kerasName]), true, kerasName.toLowerCase(), rules, opts),
    blockOf: blockOfFor(BLOCKS[kerasName]),
  }),
);
