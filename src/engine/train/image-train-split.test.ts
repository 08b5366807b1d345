// SPDX-License-Identifier: MIT
// Two-phase recipe: phase 1 splits after pooling (whole backbone on ONNX Runtime, the head in
// TF.js), phase 2 re-splits at block_15_add (block_16, conv_1 and the head train in TF.js),
// against the pure path training the same layers from pixels.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { initBackend } from '../backend/backend';
import type { TrainConfig } from '../train/types';
import { trainOnImages, type ImageTrainData } from './image-train';
import { alwaysFrozenBlocks } from './split-policy';

let root: string;
let data: ImageTrainData;

beforeAll(async () => {
  await initBackend('cpu');
  tf.env().set('PROD', true);
  root = mkdtempSync(path.join(os.tmpdir(), 'fastpath-split-'));
  const train = await writeFashionMnistFolder(root, { perClass: 6, splits: ['train'] });
  const test = await writeFashionMnistFolder(root, { perClass: 4, splits: ['test'] });
  const items = (f: typeof train.files) => f.map((x) => ({ path: x.path, label: x.label }));
  data = { root, train: items(train.files), test: items(test.files), batchSize: 12 };
}, 60_000);

describe('trainOnImages (top blocks trainable)', () => {
  it('trains the blocks above the cached boundary exactly like the pure path, in both phases', async () => {
    const config: TrainConfig = { backbone: 'mobilenetv2', weights: 'nsfwjs', imageSize: 32, epochs: 1, lr: 3e-3, seed: 3, numClasses: 10, freezeUntil: 'all', fineTune: { blocks: 2, epochs: 1 } };
    const pure = await trainOnImages(config, data, {}, { mode: 'off' });
    const fast = await trainOnImages(config, data, {}, { mode: 'on', cacheDir: path.join(root, 'cache') });
    expect(fast.splits.map((s) => s.phases)).toEqual([[1], [2]]);
    expect(fast.splits[0]).toMatchObject({ boundary: 'out_relu', pooling: 'avg', featureShape: [1, 1, 1280], trainableBlocks: [] });
    expect(fast.splits[1]).toMatchObject({ boundary: 'block_15_add', pooling: null, featureShape: [1, 1, 160], trainableBlocks: ['block_16', 'conv_1'] });
    const notes = fast.engineNotes.split('\n');
    expect(notes[0]).toMatch(/^phase 1: frozen part \(stem…conv_1, up to out_relu \+ avg pooling\).*trainable part \(head\): tfjs cpu/);
    expect(notes[1]).toMatch(/^phase 2: frozen part \(stem…block_15, up to block_15_add\).*trainable part \(block_16…conv_1 \+ head\): tfjs cpu/);
    expect(fast.history.map((h) => h.phase)).toEqual([1, 2]);
    pure.history.forEach((h, i) => expect(Math.abs(fast.history[i].loss - h.loss), `epoch ${i}`).toBeLessThan(1e-3));
    expect(Math.abs(fast.evaluation!.accuracy - pure.evaluation!.accuracy)).toBeLessThanOrEqual(1 / 40 + 1e-9);
    // Phase 2 trained block_16 in the full model that comes back (shared layers), as in the pure run.
    const w = (m: tf.LayersModel) => m.getLayer('block_16_project').getWeights()[0];
    expect(tf.max(tf.abs(w(fast.model).sub(w(pure.model)))).dataSync()[0]).toBeLessThan(1e-4);
    fast.model.dispose();
    pure.model.dispose();
  }, 300_000);

  it('keeps frozen only what every phase keeps frozen', () => {
    const blocks = ['stem', 'block_0', 'block_1', 'block_2'].map((name) => ({ name, layers: [] }));
    const base: TrainConfig = { backbone: 'x', epochs: 1 };
    expect(alwaysFrozenBlocks(blocks, base)).toBe(4);
    expect(alwaysFrozenBlocks(blocks, { ...base, freezeUntil: 'block_0' })).toBe(2);
    expect(alwaysFrozenBlocks(blocks, { ...base, freezeUntil: 'none' })).toBe(0);
    expect(alwaysFrozenBlocks(blocks, { ...base, fineTune: { blocks: 3, epochs: 2 } })).toBe(1);
    expect(alwaysFrozenBlocks(blocks, { ...base, fineTune: { blocks: 3, epochs: 0 } })).toBe(4);
    expect(alwaysFrozenBlocks(blocks, { ...base, freezeUntil: 'block_0', fineTune: { blocks: 1, epochs: 1 } })).toBe(2);
  });
});
