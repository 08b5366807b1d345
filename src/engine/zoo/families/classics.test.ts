// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { AdaptiveAveragePooling2D, paramCounts } from '../classic-kit';
import type { ModelSpec } from '../types';
import { specs as alexnet } from './alexnet';
import { specs as googlenet } from './googlenet';
import { specs as inceptionV4 } from './inception-v4';
import { specs as lenet } from './lenet';
import { specs as resnetClassic } from './resnet-classic';

const ALL: ModelSpec[] = [...lenet, ...alexnet, ...googlenet, ...inceptionV4, ...resnetClassic];
const spec = (id: string) => ALL.find((s) => s.id === id)!;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Trainable counts are the published ones (LeNet-5 textbook variant, torchvision, the PyTorch
 * Inception-v4); non-trainable are the BN moving mean/variance Keras counts and PyTorch keeps as buffers.
 */
const COUNTS: Record<string, { trainable: number; nonTrainable: number; notopTrainable: number }> = {
  lenet5: { trainable: 61_706, nonTrainable: 0, notopTrainable: 50_692 },
  alexnet: { trainable: 61_100_840, nonTrainable: 0, notopTrainable: 2_469_696 },
  googlenet: { trainable: 6_624_904, nonTrainable: 14_560, notopTrainable: 5_599_904 },
  inceptionv4: { trainable: 42_679_816, nonTrainable: 63_168, notopTrainable: 41_142_816 },
  resnet18: { trainable: 11_689_512, nonTrainable: 9_600, notopTrainable: 11_176_512 },
  resnet34: { trainable: 21_797_672, nonTrainable: 17_024, notopTrainable: 21_284_672 },
};

/** Freezing walks blocks in layer order: each block must be one run, and the model must end in 'top'. */
function expectContiguousBlocks(s: ModelSpec, model: tf.LayersModel): void {
  const seen = new Set<string>();
  let current: string | null = null;
  for (const layer of model.layers.slice(1)) {
    const block: string | null = s.blockOf(layer.name) ?? current;
    expect(block, `blockOf(${layer.name})`).not.toBeNull();
    if (block !== current) {
      expect(seen.has(block as string), `block ${block} resumes at ${layer.name}`).toBe(false);
      seen.add(block as string);
      current = block;
    }
  }
  expect(s.blockOf(model.layers[model.layers.length - 1].name)).toBe('top');
  expect(s.blockOf('avg_pool')).toBe('top');
}

describe('classic families: exact parameter counts at the default input', () => {
  for (const [id, want] of Object.entries(COUNTS)) {
    it(id, () => {
      const s = spec(id);
      const top = s.build();
      expect(paramCounts(top)).toEqual({ total: want.trainable + want.nonTrainable, trainable: want.trainable, nonTrainable: want.nonTrainable });
      expect(top.countParams()).toBe(want.trainable + want.nonTrainable);
      expect(s.params.top).toBe(want.trainable);
      expect(top.layers.some((l) => l.name === s.featureLayer)).toBe(true);
      expectContiguousBlocks(s, top);
      // The head comes after the feature layer, so the headless count is everything up to it
      // (building a second 40M-parameter model costs seconds here; the headless builds run below).
      const cut = top.layers.findIndex((l) => l.name === s.featureLayer);
      const backbone = top.layers.slice(0, cut + 1).flatMap((l) => l.trainableWeights);
      expect(backbone.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0)).toBe(want.notopTrainable);
      expect(s.params.notop).toBe(want.notopTrainable);
      top.dispose();
    });
  }
});

describe('classic families: spec facts', () => {
  it('are classic, with a paper, a story and a known preprocessing mode', () => {
    expect(ALL.map((s) => s.id)).toEqual(['lenet5', 'alexnet', 'googlenet', 'inceptionv4', 'resnet18', 'resnet34']);
    for (const s of ALL) {
      expect(s.kind).toBe('classic');
      expect(s.story.length).toBeGreaterThan(80);
      expect(s.paper.url).toMatch(/^https:\/\//);
    }
    expect(ALL.map((s) => s.paper.year)).toEqual([1998, 2012, 2014, 2016, 2015, 2015]);
    expect(ALL.map((s) => s.preprocess)).toEqual(['tf', 'torch', 'torch', 'tf', 'torch', 'torch']);
  });
});

describe('classic families: forward passes on small inputs', () => {
  it('LeNet-5 on 32x32 grayscale gives 10 softmax probabilities', () => {
    const m = spec('lenet5').build();
    expect(m.inputs[0].shape).toEqual([null, 32, 32, 1]);
    const y = m.predict(tf.randomUniform([2, 32, 32, 1], -1, 1, 'float32', 1)) as tf.Tensor;
    expect(y.shape).toEqual([2, 10]);
    for (const row of y.sum(1).arraySync() as number[]) expect(row).toBeCloseTo(1, 5);
    m.dispose();
    const headless = spec('lenet5').build({ includeTop: false });
    expect(headless.layers[headless.layers.length - 1].name).toBe('c5');
    expect(paramCounts(headless).total).toBe(50_692);
    headless.dispose();
  });

  it('AlexNet at its minimum input (63) still feeds the 9216-wide classifier through adaptive pooling', () => {
    const m = spec('alexnet').build({ inputShape: [63, 63, 3], classes: 7 });
    expect(m.getLayer('pool5').outputShape).toEqual([null, 1, 1, 256]); // torchvision features(): (1, 256, 1, 1)
    expect(m.getLayer('avgpool').outputShape).toEqual([null, 6, 6, 256]);
    const y = m.predict(tf.randomUniform([1, 63, 63, 3], 0, 1, 'float32', 2)) as tf.Tensor;
    expect(y.shape).toEqual([1, 7]);
    expect(y.sum().dataSync()[0]).toBeCloseTo(1, 5);
    m.dispose();
    const h = spec('alexnet').build({ inputShape: [100, 100, 3], includeTop: false, pooling: 'max' });
    expect(h.getLayer('pool5').outputShape).toEqual([null, 2, 2, 256]); // torchvision: (1, 256, 2, 2)
    expect(h.outputs[0].shape).toEqual([null, 256]);
    expect(paramCounts(h).total).toBe(2_469_696);
    h.dispose();
  });

  it('GoogLeNet pools in ceil mode exactly as torchvision, at sizes where TF "same" would not', () => {
    // Shapes printed by torchvision 0.14 googlenet(aux_logits=False) for 75x75 and 113x113 inputs.
    const torchvision: Record<number, number[]> = { 75: [19, 9, 4, 2], 113: [28, 14, 7, 4] };
    for (const [size, want] of Object.entries(torchvision)) {
      const n = Number(size);
      const m = spec('googlenet').build({ inputShape: [n, n, 3], includeTop: false });
      const got = ['maxpool1', 'maxpool2', 'maxpool3', 'maxpool4'].map((l) => m.getLayer(l).outputShape[1]);
      expect(got).toEqual(want);
      expect(paramCounts(m).trainable).toBe(5_599_904);
      m.dispose();
    }
    const m = spec('googlenet').build({ inputShape: [32, 32, 3], classes: 3, classifierActivation: null });
    const y = m.predict(tf.randomUniform([2, 32, 32, 3], -2, 2, 'float32', 3)) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    // classifierActivation null leaves logits, which do not sum to 1.
    expect(Math.abs((y.sum(1).arraySync() as number[])[0] - 1)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it('ResNet18 matches torchvision feature-map sizes and runs', () => {
    for (const [n, want] of [
      [75, 3],
      [113, 4],
    ]) {
      const m = spec('resnet18').build({ inputShape: [n, n, 3], includeTop: false });
      expect(m.outputs[0].shape).toEqual([null, want, want, 512]); // torchvision: (1, 512, 3, 3) and (1, 512, 4, 4)
      expect(m.layers[m.layers.length - 1].name).toBe('layer4_block1_relu2');
      expect(paramCounts(m).trainable).toBe(11_176_512);
      m.dispose();
    }
    const m = spec('resnet34').build({ inputShape: [64, 64, 3], includeTop: false, pooling: 'avg' });
    const y = m.predict(tf.randomUniform([1, 64, 64, 3], -2, 2, 'float32', 4)) as tf.Tensor;
    expect(y.shape).toEqual([1, 512]);
    expect(paramCounts(m).trainable).toBe(21_284_672);
    expect(Number.isFinite(y.sum().dataSync()[0])).toBe(true);
    m.dispose();
  });

  it('Inception-v4 runs headless at its minimum input (75)', () => {
    const m = spec('inceptionv4').build({ inputShape: [75, 75, 3], includeTop: false, pooling: 'avg' });
    expect(m.getLayer('mixed_7d').outputShape).toEqual([null, 1, 1, 1536]);
    expect(paramCounts(m).trainable).toBe(41_142_816);
    const y = m.predict(tf.randomUniform([1, 75, 75, 3], -1, 1, 'float32', 5)) as tf.Tensor;
    expect(y.shape).toEqual([1, 1536]);
    expect(Number.isFinite(y.sum().dataSync()[0])).toBe(true);
    m.dispose();
  });

  it('rejects inputs below the minimum, naming the model and the shape', () => {
    expect(() => spec('inceptionv4').build({ inputShape: [74, 74, 3] })).toThrowError(AppError);
    expect(() => spec('lenet5').build({ inputShape: [28, 28, 1] })).toThrowError(/LeNet-5.*\[28,28,1\]/);
  });
});

describe('AdaptiveAveragePooling2D', () => {
  it('gives PyTorch adaptive_avg_pool2d numbers with overlapping bins', () => {
    // torch.nn.functional.adaptive_avg_pool2d(torch.arange(50.).reshape(1, 1, 5, 10), (3, 4))
    const want = [
      [6, 8, 11, 13],
      [21, 23, 26, 28],
      [36, 38, 41, 43],
    ];
    const layer = new AdaptiveAveragePooling2D({ outputSize: [3, 4] });
    const x = tf.range(0, 50).reshape([1, 5, 10, 1]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 3, 4, 1]);
    expect(y.reshape([3, 4]).arraySync()).toEqual(want);
  });

  it('survives a JSON round trip as a registered class', async () => {
    const input = tf.input({ shape: [9, 9, 2] });
    const out = new AdaptiveAveragePooling2D({ outputSize: [2, 2], name: 'ap' }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    const back = await tf.models.modelFromJSON({ modelTopology: m.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    expect(back.getLayer('ap').getClassName()).toBe('AdaptiveAveragePooling2D');
    expect(back.outputs[0].shape).toEqual([null, 2, 2, 2]);
  });
});
