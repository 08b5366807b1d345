// SPDX-License-Identifier: MIT
// Hand-built models that between them use every layer mapper, each checked against TF.js (cpu)
// on the same random batch. Odd spatial sizes make Keras's asymmetric 'same' padding matter.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { CustomScaleLayer } from '../zoo/layers/custom-scale-layer';
import { Normalization } from '../zoo/layers/normalization';
import { Rescaling } from '../zoo/layers/rescaling';
import { buildOnnxGraph, convertModel } from './convert';
import { LAYER_MAPPERS } from './ops/index';
import { checkParity, randomizeWeights } from './parity';
import { decodeModel, ONNX_IR_VERSION, ONNX_OPSET } from './proto';

const TOL = 1e-4;
const L = tf.layers;
type T = tf.SymbolicTensor;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function expectParity(model: tf.LayersModel, batch = 2): Promise<void> {
  randomizeWeights(model, 3);
  const r = await checkParity(model, batch);
  expect(r.maxAbsRef, 'reference output is not all zeros').toBeGreaterThan(1e-3);
  expect(r.maxAbsDiff, `max |TF.js - ONNX| (max |ref| ${r.maxAbsRef})`).toBeLessThan(TOL);
}

function opTypes(model: tf.LayersModel): string[] {
  return buildOnnxGraph(model).nodes.map((n) => n.opType);
}

describe('ONNX file', () => {
  it('declares IR 8 / opset 17, an NHWC input with a dynamic batch and named outputs', () => {
    const inp = tf.input({ shape: [9, 9, 3], name: 'image' });
    const out = L.dense({ units: 4, name: 'logits' }).apply(L.flatten().apply(inp)) as T;
    const model = tf.model({ inputs: inp, outputs: out });
    const m = decodeModel(convertModel(model)) as {
      ir_version: number;
      opset_import: { domain?: string; version: number }[];
      graph: { input: { name: string; type: { tensor_type: { shape: { dim: { dim_param?: string; dim_value?: number }[] } } } }[]; output: { name: string }[] };
    };
    expect(m.ir_version).toBe(ONNX_IR_VERSION);
    expect(m.opset_import).toEqual([{ version: ONNX_OPSET }]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(17);
    expect(m.graph.input[0].name).toBe('image');
    expect(m.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'N' }, { dim_value: 9 }, { dim_value: 9 }, { dim_value: 3 }]);
    expect(m.graph.output.map((o) => o.name)).toEqual(['logits']);
  });
});

describe('convolutions and BatchNormalization', () => {
  it('folds BN into Conv2D / DepthwiseConv2D / SeparableConv2D and matches TF.js', async () => {
    const inp = tf.input({ shape: [13, 11, 3] });
    let x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', name: 'c1' }).apply(inp) as T;
    x = L.batchNormalization({ name: 'c1_bn' }).apply(x) as T;
    x = L.reLU({ maxValue: 6, name: 'c1_relu6' }).apply(x) as T;
    x = L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, useBias: false, name: 'dw' }).apply(x) as T;
    x = L.batchNormalization({ epsilon: 1e-5, name: 'dw_bn' }).apply(x) as T;
    x = L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'sep' }).apply(x) as T;
    x = L.batchNormalization({ name: 'sep_bn' }).apply(x) as T;
    x = L.conv2d({ filters: 5, kernelSize: 2, dilationRate: 2, padding: 'same', useBias: false, name: 'dil' }).apply(x) as T;
    x = L.batchNormalization({ name: 'dil_bn' }).apply(x) as T;
    const model = tf.model({ inputs: inp, outputs: x });
    const ops = opTypes(model);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(5);
    await expectParity(model);
  });

  it('keeps BN as a node when the conv has an activation or another reader, and handles valid/strided convs', async () => {
    const inp = tf.input({ shape: [12, 12, 4] });
    const a = L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', name: 'a' }).apply(inp) as T;
    const aBn = L.batchNormalization({ name: 'a_bn' }).apply(a) as T;
    const b = L.conv2d({ filters: 6, kernelSize: 1, name: 'b' }).apply(aBn) as T;
    const bBn = L.batchNormalization({ name: 'b_bn', center: false }).apply(b) as T;
    const sum = L.add({ name: 'sum' }).apply([b, bBn]) as T;
    const c = L.depthwiseConv2d({ kernelSize: 5, strides: 2, padding: 'same', activation: 'swish', name: 'c' }).apply(sum) as T;
    const model = tf.model({ inputs: inp, outputs: c });
    expect(opTypes(model).filter((o) => o === 'BatchNormalization')).toHaveLength(2);
    await expectParity(model);
  });
});

describe('pooling, padding, cropping', () => {
  it('matches TF.js for same/valid max and average pooling, ZeroPadding2D and Cropping2D', async () => {
    const inp = tf.input({ shape: [11, 10, 3] });
    const p = L.zeroPadding2d({ padding: [[1, 2], [0, 3]] }).apply(inp) as T;
    const c = L.conv2d({ filters: 4, kernelSize: 3, name: 'conv' }).apply(p) as T;
    const mx = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(c) as T;
    const av = L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(c) as T;
    const avv = L.averagePooling2d({ poolSize: 2, strides: 1, padding: 'valid' }).apply(mx) as T;
    const crop = L.cropping2D({ cropping: [[1, 0], [0, 1]] }).apply(av) as T;
    const cat = L.concatenate({ name: 'cat' }).apply([crop, avv]) as T;
    const model = tf.model({ inputs: inp, outputs: cat });
    await expectParity(model);
  });

  it('ZeroPadding2D before a pool pads with zeros, not -inf (ONNX Runtime PadFusion must not fire)', async () => {
    const inp = tf.input({ shape: [6, 7, 2] });
    const neg = L.rescaling({ scale: 1, offset: -1.5 }).apply(inp) as T;
    const mp = L.maxPooling2d({ poolSize: 3, strides: 2 }).apply(L.zeroPadding2d({ padding: [[1, 1], [1, 1]] }).apply(neg)) as T;
    const ap = L.averagePooling2d({ poolSize: 3, strides: 2 }).apply(L.zeroPadding2d({ padding: [[1, 1], [1, 1]] }).apply(neg)) as T;
    const zpSame = L.zeroPadding2d({ padding: [[0, 0], [1, 0]] }).apply(neg) as T;
    const mps = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(zpSame) as T;
    const aps = L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(L.zeroPadding2d({ padding: [[0, 0], [1, 0]] }).apply(neg)) as T;
    const model = tf.model({ inputs: inp, outputs: L.concatenate().apply([mp, ap, mps, aps]) as T });
    expect(opTypes(model)).not.toContain('Pad');
    await expectParity(model);
  });

  it('global pooling without keepdims, maximum/minimum/average merges', async () => {
    const inp = tf.input({ shape: [7, 9, 3] });
    const c = L.conv2d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(inp) as T;
    const d = L.conv2d({ filters: 5, kernelSize: 1 }).apply(inp) as T;
    const mx = L.maximum().apply([c, d]) as T;
    const mn = L.minimum().apply([c, d]) as T;
    const avg = L.average().apply([mx, mn, c]) as T;
    const gap = L.globalAveragePooling2d({}).apply(avg) as T;
    const gmp = L.globalMaxPooling2d({}).apply(mx) as T;
    const model = tf.model({ inputs: inp, outputs: L.concatenate().apply([gap, gmp]) as T });
    await expectParity(model);
  });
});

describe('activations', () => {
  const names = ['relu', 'relu6', 'sigmoid', 'softmax', 'swish', 'tanh', 'elu', 'selu', 'hardSigmoid', 'linear', 'softplus', 'softsign', 'mish', 'gelu', 'logSoftmax'];
  it.each(names)('%s as a layer and inside a conv', async (act) => {
    const inp = tf.input({ shape: [6, 5, 3] });
    const x = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: act as 'relu' }).apply(inp) as T;
    const scaled = L.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: tf.initializers.randomNormal({ stddev: 3, seed: 1 }) }).apply(x) as T;
    const y = L.activation({ activation: act as 'relu' }).apply(scaled) as T;
    await expectParity(tf.model({ inputs: inp, outputs: y }));
  });

  it('LeakyReLU, ELU, ThresholdedReLU, Softmax and ReLU layers', async () => {
    const inp = tf.input({ shape: [5, 5, 3] });
    let x = L.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: tf.initializers.randomNormal({ stddev: 2, seed: 2 }) }).apply(inp) as T;
    x = L.leakyReLU({ alpha: 0.1 }).apply(x) as T;
    x = L.elu({}).apply(x) as T;
    x = L.thresholdedReLU({ theta: 0.2 }).apply(x) as T;
    x = L.reLU().apply(x) as T;
    x = L.softmax({ axis: -1 }).apply(x) as T;
    await expectParity(tf.model({ inputs: inp, outputs: x }));
  });
});

describe('dense, flatten, reshape and heads', () => {
  it('Flatten keeps Keras NHWC order before Dense; Dropout is identity; BN on features', async () => {
    const inp = tf.input({ shape: [5, 4, 3] });
    let x = L.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(inp) as T;
    x = L.flatten().apply(x) as T;
    x = L.dropout({ rate: 0.5 }).apply(x) as T;
    x = L.dense({ units: 16, activation: 'relu' }).apply(x) as T;
    x = L.batchNormalization().apply(x) as T;
    x = L.dense({ units: 5, activation: 'softmax' }).apply(x) as T;
    await expectParity(tf.model({ inputs: inp, outputs: x }));
  });

  it('squeeze-excite (Reshape to 1x1xC, Dense on 4-D, Multiply), Reshape/Permute and Dense on rank 3', async () => {
    const inp = tf.input({ shape: [6, 6, 4] });
    const c = L.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(inp) as T;
    let se = L.globalAveragePooling2d({}).apply(c) as T;
    se = L.reshape({ targetShape: [1, 1, 8] }).apply(se) as T;
    se = L.dense({ units: 2, activation: 'relu' }).apply(se) as T;
    se = L.conv2d({ filters: 8, kernelSize: 1, activation: 'hardSigmoid' }).apply(se) as T;
    const scaled = L.multiply().apply([c, se]) as T;
    let seq = L.reshape({ targetShape: [36, 8] }).apply(scaled) as T;
    seq = L.dense({ units: 3 }).apply(seq) as T;
    seq = L.permute({ dims: [2, 1] }).apply(seq) as T;
    const out = L.flatten().apply(seq) as T;
    await expectParity(tf.model({ inputs: inp, outputs: out }));
  });
});

describe('normalisation and zoo layers', () => {
  it('Rescaling (scalar and per-channel), Normalization, CustomScaleLayer, LayerNormalization', async () => {
    const inp = tf.input({ shape: [7, 7, 3] });
    let x = L.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(inp) as T;
    x = new Rescaling({ scale: [0.5, 2, 1.5], offset: [0.1, 0, -0.1] }).apply(x) as T;
    x = new Normalization({ axis: -1 }).apply(x) as T;
    const a = L.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(x) as T;
    const b = L.conv2d({ filters: 6, kernelSize: 1, activation: 'relu' }).apply(a) as T;
    let y = new CustomScaleLayer({ scale: 0.17 }).apply([a, b]) as T;
    y = L.layerNormalization({ epsilon: 1e-6 }).apply(y) as T;
    await expectParity(tf.model({ inputs: inp, outputs: y }));
  });
});

describe('model structure', () => {
  it('inlines a nested base model under a trained head', async () => {
    const bin = tf.input({ shape: [8, 8, 3] });
    let b = L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', name: 'base_conv' }).apply(bin) as T;
    b = L.batchNormalization({ name: 'base_bn' }).apply(b) as T;
    b = L.activation({ activation: 'relu' }).apply(b) as T;
    const base = tf.model({ inputs: bin, outputs: b, name: 'base' });
    const head = tf.sequential({
      layers: [base, L.globalAveragePooling2d({}), L.dropout({ rate: 0.2 }), L.dense({ units: 3, activation: 'softmax', name: 'predictions' })],
    });
    await expectParity(head);
  });

  it('exports up to outputLayer only', async () => {
    const inp = tf.input({ shape: [8, 8, 3] });
    const a = L.conv2d({ filters: 4, kernelSize: 3, name: 'first' }).apply(inp) as T;
    const b = L.conv2d({ filters: 4, kernelSize: 3, name: 'second' }).apply(a) as T;
    const model = tf.model({ inputs: inp, outputs: b });
    randomizeWeights(model, 5);
    const r = await checkParity(model, 2, { outputLayer: 'first' });
    expect(r.outputShape).toEqual([2, 6, 6, 4]);
    expect(r.maxAbsDiff).toBeLessThan(TOL);
    expect(buildOnnxGraph(model, { outputLayer: 'first' }).nodes.filter((n) => n.opType === 'Conv')).toHaveLength(1);
    expect(() => convertModel(model, { outputLayer: 'nope' })).toThrow(/outputLayer "nope" is not a top-level layer/);
  });

  it('fails with UNSUPPORTED naming the layer and its class', () => {
    const inp = tf.input({ shape: [4, 4, 2] });
    const up = L.upSampling2d({ size: [2, 2], name: 'grow' }).apply(inp) as T;
    const model = tf.model({ inputs: inp, outputs: up });
    let err: unknown;
    try {
      convertModel(model);
    } catch (e) {
      err = e;
    }
    expect(AppError.is(err, 'UNSUPPORTED')).toBe(true);
    expect((err as Error).message).toBe('ONNX export does not support layer grow (UpSampling2D) yet.');
  });

  it('has a mapper for every layer class the brief lists', () => {
    for (const cls of ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense', 'BatchNormalization', 'ReLU', 'Activation', 'Add', 'Multiply', 'Concatenate', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'ZeroPadding2D', 'Cropping2D', 'Flatten', 'Reshape', 'Dropout', 'Rescaling', 'InputLayer', 'CustomScaleLayer', 'Normalization']) {
      expect(LAYER_MAPPERS[cls], cls).toBeTypeOf('function');
    }
  });
});
