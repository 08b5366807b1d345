// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { applyFreeze, freezePlan, modelBlocks } from './blocks';
import { specs as googlenet } from './families/googlenet';
import { specs as resnetClassic } from './families/resnet-classic';
import { getModelSpec } from './registry';

const resnet18 = resnetClassic[0];
let model: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = resnet18.build();
});
afterAll(() => model.dispose());

describe('modelBlocks', () => {
  it('groups ResNet18 into the stem, eight BasicBlocks and the top, in order', () => {
    const blocks = modelBlocks(model, resnet18);
    expect(blocks.map((b) => b.name)).toEqual([
      'conv1',
      'layer1_block0', 'layer1_block1',
      'layer2_block0', 'layer2_block1',
      'layer3_block0', 'layer3_block1',
      'layer4_block0', 'layer4_block1',
      'top',
    ]);
    // The input joins the first block; the un-named pool layers join the block before them.
    expect(blocks[0].layers).toEqual(['input_layer', 'conv1_pad', 'conv1', 'bn1', 'conv1_relu', 'maxpool_pad', 'maxpool']);
    expect(blocks[0].params).toBe(7 * 7 * 3 * 64 + 4 * 64);
    expect(blocks[0].trainableParams).toBe(7 * 7 * 3 * 64 + 2 * 64);
    expect(blocks[9]).toEqual({ name: 'top', layers: ['avgpool', 'predictions'], params: 513_000, trainableParams: 513_000 });
    expect(blocks.reduce((n, b) => n + b.params, 0)).toBe(11_699_112);
    expect(blocks.reduce((n, b) => n + b.layers.length, 0)).toBe(model.layers.length);
  });

  it('gives GoogLeNet its stem convs, nine Inception modules and the top', () => {
    const s = googlenet[0];
    const m = s.build({ inputShape: [64, 64, 3] });
    const names = modelBlocks(m, s).map((b) => b.name);
    expect(names).toEqual([
      'conv1', 'conv2', 'conv3',
      'inception3a', 'inception3b',
      'inception4a', 'inception4b', 'inception4c', 'inception4d', 'inception4e',
      'inception5a', 'inception5b',
      'top',
    ]);
    m.dispose();
  });
});

describe('freezePlan / applyFreeze', () => {
  it('freezing ResNet18 up to layer3_block1 leaves layer4 and the classifier', () => {
    const plan = freezePlan(model, resnet18, 'layer3_block1');
    // layer4: block0 3x3 256->512, 3x3 512->512, 1x1 downsample, three BNs; block1 two 3x3 512->512, two BNs.
    const layer4 = 9 * 256 * 512 + 9 * 512 * 512 + 256 * 512 + 3 * 1024 + 2 * 9 * 512 * 512 + 2 * 1024;
    expect(layer4).toBe(8_393_728);
    expect(plan.trainableParams).toBe(layer4 + 513_000);
    expect(plan.totalParams).toBe(11_699_112);
    expect(plan.frozenParams).toBe(11_699_112 - 8_906_728);
    expect(plan.frozenBlocks).toHaveLength(7);
    expect(plan.frozenLayers).toContain('layer3_block1_relu2');
    expect(plan.frozenLayers).not.toContain('layer4_block0_conv1');
  });

  it('applyFreeze sets layer.trainable so tfjs agrees, and the plan ignores the current freeze', () => {
    const plan = applyFreeze(model, resnet18, 'layer3_block1');
    const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    expect(trainable).toBe(plan.trainableParams);
    expect(model.getLayer('layer2_block0_conv1').trainable).toBe(false);
    expect(freezePlan(model, resnet18, null).trainableParams).toBe(11_689_512);
    expect(modelBlocks(model, resnet18)[0].trainableParams).toBe(0);
    applyFreeze(model, resnet18, null);
    expect(modelBlocks(model, resnet18)[0].trainableParams).toBe(9_536);
  });

  it('rejects an unknown block, listing the real ones', () => {
    let err: unknown;
    try {
      freezePlan(model, resnet18, 'conv4_block6');
    } catch (e) {
      err = e;
    }
    expect(AppError.is(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as AppError).message).toMatch(/"conv4_block6".*layer1_block0, .*top/);
  });

  it('Keras ResNet50: freezing up to conv4_block6 leaves conv5 and the classifier (17.0M of 25.6M)', () => {
    const spec = getModelSpec('resnet50');
    const m = spec.build();
    const plan = freezePlan(m, spec, 'conv4_block6');
    // conv5_block1: 1x1 1024->512, 3x3 512->512, 1x1 512->2048, shortcut 1024->2048 (+biases), BN gamma/beta.
    const block1 = 1024 * 512 + 512 + 9 * 512 * 512 + 512 + 512 * 2048 + 2048 + 1024 * 2048 + 2048 + 2 * (512 + 512 + 2048 + 2048);
    const block23 = 2048 * 512 + 512 + 9 * 512 * 512 + 512 + 512 * 2048 + 2048 + 2 * (512 + 512 + 2048);
    expect(plan.trainableParams).toBe(block1 + 2 * block23 + 2049 * 1000);
    expect(plan.trainableParams).toBe(17_025_000);
    expect(plan.totalParams).toBe(25_636_712);
    expect(modelBlocks(m, spec).at(-1)!.name).toBe('top');
    m.dispose();
  });
});
