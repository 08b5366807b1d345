// SPDX-License-Identifier: MIT
// The `arch.tag` ids (timm style) over the whole registry: every architecture has a default tag,
// every id resolves back to itself, the bare architecture name resolves to the default, and
// createModel builds the same architecture whatever the tag.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/fixtures/rejection';
import { allKerasFacts } from './keras-facts';
import { bundledModel, createModel, defaultModelId, getModelSpec, isWeightsTag, listModels, preprocessFor, pretrainedCfgs, resolveModelId, splitModelId } from './registry';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('arch.tag ids', () => {
  it('gives every architecture its entries, the default first and scratch last', () => {
    for (const spec of listModels()) {
      const cfgs = pretrainedCfgs(spec);
      expect(cfgs.at(-1)).toMatchObject({ id: `${spec.id}.scratch`, tag: 'scratch', weights: 'none', source: { kind: 'none' } });
      for (const c of cfgs) {
        expect(c.id).toBe(`${spec.id}.${c.tag}`);
        expect(resolveModelId(c.id).cfg).toEqual(c);
        expect(c.label.length).toBeGreaterThan(5);
      }
      expect(resolveModelId(spec.id).cfg).toEqual(cfgs[0]);
      expect(resolveModelId(spec.name).cfg).toEqual(cfgs[0]);
    }
  });

  it('carries the Keras notop file (name, URL, hash, size) for ImageNet, and only Keras models have it', () => {
    const { cfg } = resolveModelId('resnet50.imagenet');
    const f = allKerasFacts().ResNet50.weights.notop;
    expect(cfg.source).toEqual({ kind: 'download', fileName: f.file_name, url: f.url, hash: f.file_hash, hashAlgorithm: f.hash_algorithm, approxBytes: 23_587_712 * 4 });
    expect(cfg.preprocess).toBe('caffe');
    expect(cfg.label).toBe('ImageNet (Keras, ≈94 MB download)');
    for (const spec of listModels((s) => s.kind === 'classic')) expect(pretrainedCfgs(spec).map((c) => c.id)).toEqual([`${spec.id}.scratch`]);
    expect(listModels((s) => s.kind === 'keras').every((s) => pretrainedCfgs(s).some((c) => c.tag === 'imagenet'))).toBe(true);
  });

  it('makes the bundled nsfwjs weights the default of the architecture that declares them, with their own preprocessing', () => {
    const { spec, cfg } = bundledModel('nsfwjs');
    expect(cfg.id).toBe(`${spec.id}.nsfwjs`);
    expect(cfg.source).toMatchObject({ kind: 'bundled', package: 'nsfwjs', approxBytes: 3_493_394 });
    expect(cfg.preprocess).toBe('unit');
    expect(spec.preprocess).toBe('tf');
    expect(pretrainedCfgs(spec).map((c) => c.tag)).toEqual(['nsfwjs', 'imagenet', 'scratch']);
    expect(defaultModelId()).toBe(cfg.id);
    expect(preprocessFor(spec.id, 'nsfwjs')).toBe('unit');
    expect(preprocessFor(spec.id, 'imagenet')).toBe('tf');
    expect(preprocessFor(spec.id, '/some/own.h5')).toBe('tf');
  });

  it('picks the entry from the weights value and refuses tags and weights an architecture has not', async () => {
    expect(resolveModelId('lenet5').cfg.id).toBe('lenet5.scratch');
    expect(resolveModelId('LeNet-5', 'none').cfg.tag).toBe('scratch');
    expect(resolveModelId('resnet50', 'scratch').cfg.weights).toBe('none');
    expect(resolveModelId('ResNet50').cfg.id).toBe('resnet50.imagenet');
    expect(resolveModelId('resnet50.imagenet', 'imagenet').cfg.id).toBe('resnet50.imagenet');
    expect(() => resolveModelId('lenet5', 'imagenet')).toThrowError(/LeNet-5 has no imagenet weights\. Choose one of: none/);
    expect(() => resolveModelId('resnet50', 'nsfwjs')).toThrowError(/ResNet50 has no nsfwjs weights\. Choose one of: imagenet, none/);
    expect(() => resolveModelId('resnet50.a1_in1k')).toThrowError(/Invalid weights tag \(a1_in1k\) for resnet50\. Its ids: resnet50\.imagenet, resnet50\.scratch/);
    expect(() => resolveModelId('resnet50.imagenet', 'none')).toThrowError(/names imagenet weights but weights none was passed/);
    expect((await rejection((async () => resolveModelId('resnet51'))())).code).toBe('MODEL_UNKNOWN');
  });

  it('tells tags from file paths and splits ids', () => {
    expect(['nsfwjs', 'imagenet', 'none', 'scratch'].every(isWeightsTag)).toBe(true);
    expect(isWeightsTag('/tmp/mine.h5')).toBe(false);
    expect(isWeightsTag('imagenet.h5')).toBe(false);
    expect(splitModelId('mobilenetv2.nsfwjs')).toEqual({ arch: 'mobilenetv2', tag: 'nsfwjs' });
    expect(splitModelId('mobilenetv2')).toEqual({ arch: 'mobilenetv2' });
  });
});

describe('createModel', () => {
  it('builds the same architecture from an id, a tagged id, a Keras name or the spec', () => {
    const spec = getModelSpec('lenet5');
    const models = ['lenet5', 'lenet5.scratch', 'LeNet-5', spec].map((id) => createModel(id, { includeTop: false, pooling: 'avg' }));
    try {
      const shapes = models.map((m) => [m.inputs[0].shape, m.outputs[0].shape, m.countParams()]);
      expect(new Set(shapes.map((s) => JSON.stringify(s))).size).toBe(1);
      expect(models[0].countParams()).toBe(spec.params.notop);
    } finally {
      for (const m of models) m.dispose();
    }
  });

  it('names an unknown model and lists the known ones', () => {
    expect(() => createModel('resnet51')).toThrowError(/Unknown model: "resnet51"\. Run `transfer-studio models`.*Known: xception, /);
  });
});
