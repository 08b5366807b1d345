// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { forward, inferenceLayersOf } from './forward';
import { backboneBlocks, countParams, freezeLayers, freezeUntilBlock, unfreezeTopBlocks } from './freeze';
import { attachHead } from './head';
import { reseedWeights } from './init';
import { createModel } from '../zoo/registry';
import { balancedClassWeights, classificationLoss } from './loss';
import { createOptimizer } from './optimizer';
import { learningRateAt } from './schedule';
import { makeShapes, tinyBackbone } from '../../../test/fixtures/synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A tiny model whose BN moving statistics are far from the batch statistics. */
function setup(seed = 3) {
  const bb = tinyBackbone({ size: 16, seed });
  const model = attachHead(bb.model, { numClasses: 3, dropout: 0, seed });
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([gamma, beta, tf.fill(mean.shape, 0.1), tf.fill(variance.shape, 2)]);
  }
  const data = makeShapes({ n: 8, size: 16, seed: 5 });
  const x = tf.tensor4d(data.x, [8, 16, 16, 3]);
  const y = tf.tensor1d(data.y, 'int32');
  return { bb, model, x, y };
}

const bnStats = (model: tf.LayersModel) =>
  model.layers.filter((l) => l.getClassName() === 'BatchNormalization').flatMap((l) => l.getWeights().slice(2).map((w) => Array.from(w.dataSync())));

function trainStep(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor1D, inference: Set<tf.layers.Layer>) {
  const opt = createOptimizer('sgd', 0.1);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  opt.optimizer.minimize(() => classificationLoss(y, forward(model, x, { training: true, inferenceLayers: inference })[0] as tf.Tensor2D, { numClasses: 3 }), false, vars);
}

describe('frozen BatchNormalization', () => {
  it('keeps moving statistics and normalises with them during a training step', () => {
    const { bb, model, x, y } = setup();
    freezeUntilBlock(model, bb.blockOf, 'all');
    const inference = inferenceLayersOf(model);
    const before = bnStats(model);
    const predicted = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const trainingMode = forward(model, x, { training: true, inferenceLayers: inference })[0].arraySync() as number[][];
    // Training-mode forward == inference forward: the frozen BNs used their moving stats.
    expect(trainingMode.flat().map((v, i) => Math.abs(v - predicted.flat()[i])).reduce((a, b) => Math.max(a, b))).toBeLessThan(1e-6);
    const headBefore = model.getLayer('head_predictions').getWeights()[0].dataSync().slice();
    trainStep(model, x, y, inference);
    expect(bnStats(model)).toEqual(before);
    // ...while the head did learn.
    const headAfter = model.getLayer('head_predictions').getWeights()[0].dataSync();
    expect(headAfter.some((v, i) => v !== headBefore[i])).toBe(true);
  });

  it('would drift without the per-layer flag (the tfjs model.fit behaviour we avoid)', () => {
    const { bb, model, x, y } = setup();
    freezeUntilBlock(model, bb.blockOf, 'all');
    const before = bnStats(model);
    const predicted = (model.predict(x) as tf.Tensor).dataSync();
    const allTraining = forward(model, x, { training: true })[0].dataSync();
    expect(allTraining.some((v, i) => Math.abs(v - predicted[i]) > 1e-3)).toBe(true);
    trainStep(model, x, y, new Set());
    expect(bnStats(model)).not.toEqual(before);
  });

  it('bnScope keeps unfrozen backbone BNs in inference mode (Keras fine-tuning advice)', () => {
    const { bb, model, x, y } = setup();
    unfreezeTopBlocks(model, bb.blockOf, 3);
    const scope = new Set(model.layers.filter((l) => !l.name.startsWith('head_')).map((l) => l.name));
    const inference = inferenceLayersOf(model, scope);
    const before = bnStats(model);
    const convBefore = model.getLayer('stem_conv').getWeights()[0].dataSync().slice();
    trainStep(model, x, y, inference);
    expect(bnStats(model)).toEqual(before);
    expect(model.getLayer('stem_conv').getWeights()[0].dataSync().some((v, i) => v !== convBefore[i])).toBe(true);
  });
});

describe('freezing', () => {
  it('groups layers into blocks in graph order and freezes up to a block', () => {
    const { bb, model } = setup();
    expect(backboneBlocks(model, bb.blockOf).map((b) => b.name)).toEqual(['stem', 'block1', 'block2']);
    const frozen = freezeUntilBlock(model, bb.blockOf, 'block1');
    expect(frozen).toContain('block1_bn');
    expect(model.getLayer('block2_conv').trainable).toBe(true);
    expect(model.getLayer('stem_conv').trainable).toBe(false);
    // Trainable: block2 conv 3*3*16*32 + BN gamma/beta 64 + head 32*3+3.
    expect(countParams(model).trainable).toBe(3 * 3 * 16 * 32 + 64 + 32 * 3 + 3);
    unfreezeTopBlocks(model, bb.blockOf, 0);
    expect(countParams(model).trainable).toBe(32 * 3 + 3);
    freezeLayers(model, ['head_predictions']);
    expect(model.getLayer('head_predictions').trainable).toBe(false);
    expect(model.getLayer('stem_conv').trainable).toBe(true);
  });

  it('names the blocks when freezeUntil is unknown', () => {
    const { bb, model } = setup();
    expect(() => freezeUntilBlock(model, bb.blockOf, 'block9')).toThrow(/Received: "block9".*stem, block1, block2/);
    expect(() => freezeLayers(model, ['nope'])).toThrow(/nope/);
  });
});

describe('head', () => {
  it('pools, adds a hidden layer and classifies', () => {
    const bb = tinyBackbone({ size: 16 });
    const m = attachHead(bb.model, { numClasses: 5, pooling: 'max', hidden: 12, dropout: 0.5, seed: 1 });
    expect(m.outputs[0].shape).toEqual([null, 5]);
    expect(m.layers.map((l) => l.name).filter((n) => n.startsWith('head_'))).toEqual(['head_pool', 'head_dropout', 'head_hidden', 'head_hidden_dropout', 'head_predictions']);
    const p = (m.predict(tf.zeros([2, 16, 16, 3])) as tf.Tensor).sum(-1).dataSync();
    expect(p[0]).toBeCloseTo(1, 5);
    expect(() => attachHead(bb.model, { numClasses: 1 })).toThrow(/Received: 1/);
  });
});

describe('loss', () => {
  it('smooths labels and weights classes as Keras does', () => {
    const probs = tf.tensor2d([
      [0.5, 0.25, 0.25],
      [0.2, 0.6, 0.2],
    ]);
    const y = tf.tensor1d([0, 1], 'int32');
    const plain = -(Math.log(0.5) + Math.log(0.6)) / 2;
    expect(classificationLoss(y, probs, { numClasses: 3 }).dataSync()[0]).toBeCloseTo(plain, 5);
    // Smoothing 0.3: targets 0.8 / 0.1 / 0.1.
    const s0 = -(0.8 * Math.log(0.5) + 0.1 * Math.log(0.25) * 2);
    const s1 = -(0.1 * Math.log(0.2) * 2 + 0.8 * Math.log(0.6));
    expect(classificationLoss(y, probs, { numClasses: 3, labelSmoothing: 0.3 }).dataSync()[0]).toBeCloseTo((s0 + s1) / 2, 5);
    const w = classificationLoss(y, probs, { numClasses: 3, classWeights: [2, 0.5, 1] }).dataSync()[0];
    expect(w).toBeCloseTo((-2 * Math.log(0.5) - 0.5 * Math.log(0.6)) / 2, 5);
    expect(balancedClassWeights([10, 30, 20])).toEqual([2, 60 / 90, 1]);
  });
});

describe('learning-rate schedules', () => {
  const base = { baseLr: 0.1, stepsPerEpoch: 10, epochs: 10 };
  it('warms up linearly, then holds, decays by cosine or steps', () => {
    expect(learningRateAt(0, { ...base, schedule: 'constant', warmupEpochs: 1 })).toBeCloseTo(0.01, 12);
    expect(learningRateAt(9, { ...base, schedule: 'constant', warmupEpochs: 1 })).toBeCloseTo(0.1, 12);
    expect(learningRateAt(50, { ...base, schedule: 'constant' })).toBe(0.1);
    expect(learningRateAt(0, { ...base, schedule: 'cosine' })).toBeCloseTo(0.1, 12);
    expect(learningRateAt(50, { ...base, schedule: 'cosine' })).toBeCloseTo(0.05, 12);
    expect(learningRateAt(100, { ...base, schedule: 'cosine' })).toBeCloseTo(0, 12);
    expect(learningRateAt(55, { ...base, schedule: 'cosine', warmupEpochs: 1 })).toBeCloseTo(0.05, 12);
    expect(learningRateAt(29, { ...base, schedule: 'step', stepEvery: 3, stepGamma: 0.5 })).toBeCloseTo(0.1, 12);
    expect(learningRateAt(30, { ...base, schedule: 'step', stepEvery: 3, stepGamma: 0.5 })).toBeCloseTo(0.05, 12);
  });
});

describe('reseedWeights', () => {
  it('makes zoo builds identical for one seed and different for another, keeping the distribution', () => {
    const build = () => createModel('mobilenetv2', { includeTop: false, inputShape: [32, 32, 3], pooling: null });
    const [a, b, c] = [build(), build(), build()];
    const n = reseedWeights(a, 5);
    reseedWeights(b, 5);
    reseedWeights(c, 6);
    expect(n).toBe(a.layers.filter((l) => /conv|Conv|expand|project|depthwise/.test(l.name) && l.weights.length > 0 && !/bn|BN/.test(l.name)).length);
    const w = (m: tf.LayersModel) => m.getLayer('block_3_expand').getWeights()[0];
    expect(w(a).dataSync()).toEqual(w(b).dataSync());
    expect(w(a).dataSync()).not.toEqual(w(c).dataSync());
    // Same scale as the builder's own draw (glorot: std ~ sqrt(2 / (fanIn + fanOut))).
    const std = (t: tf.Tensor) => Math.sqrt(t.square().mean().dataSync()[0]);
    const fresh = build();
    expect(std(w(a)) / std(w(fresh))).toBeGreaterThan(0.8);
    expect(std(w(a)) / std(w(fresh))).toBeLessThan(1.25);
  });
});
