// SPDX-License-Identifier: MIT
// The split path against the pure TF.js path on real Fashion-MNIST files with the real pretrained
// MobileNetV2 (nsfwjs), whole backbone frozen: same seed, same batches, same numbers per epoch,
// with the feature cache (no augmentation) and with augmented batches through ONNX Runtime.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { initBackend } from '../backend/backend';
import type { TrainConfig } from '../train/types';
import { trainOnImages, type ImageTrainData } from './image-train';

let root: string;
let data: ImageTrainData;
const config: TrainConfig = { backbone: 'mobilenetv2', weights: 'nsfwjs', imageSize: 32, epochs: 3, lr: 1e-2, seed: 7, numClasses: 10, freezeUntil: 'all' };

beforeAll(async () => {
  await initBackend('cpu');
  tf.env().set('PROD', true);
  root = mkdtempSync(path.join(os.tmpdir(), 'fastpath-'));
  const train = await writeFashionMnistFolder(root, { perClass: 10, splits: ['train'] });
  const test = await writeFashionMnistFolder(root, { perClass: 6, splits: ['test'] });
  const items = (f: typeof train.files) => f.map((x) => ({ path: x.path, label: x.label }));
  data = { root, train: items(train.files), test: items(test.files), batchSize: 16 };
}, 60_000);

describe('trainOnImages (frozen backbone)', () => {
  it('matches the pure TF.js path with the same seed, faster, and records which engine ran what', async () => {
    const cacheDir = path.join(root, 'cache-parity');
    let t = performance.now();
    const pure = await trainOnImages(config, data, {}, { mode: 'off' });
    const pureSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const fast = await trainOnImages(config, data, {}, { mode: 'auto', cacheDir });
    const fastSeconds = (performance.now() - t) / 1000;

    expect(pure.splits).toEqual([]);
    expect(pure.engineNotes).toMatch(/^whole model: tfjs cpu/);
    expect(fast.splits).toHaveLength(1);
    expect(fast.splits[0]).toMatchObject({ phases: [1], boundary: 'out_relu', pooling: 'avg', featureShape: [1, 1, 1280], trainFrom: 'cache' });
    expect(fast.splits[0].extract.extracted).toBe(160);
    expect(fast.engineNotes).toMatch(/frozen part \(stem…conv_1, up to out_relu \+ avg pooling\): onnxruntime-node 1\.\d+\.\d+ CPU.*trainable part \(head\): tfjs cpu/);

    // ONNX Runtime and TF.js differ by ~1e-6 in the features; training amplifies that only a little.
    pure.history.forEach((h, i) => expect(Math.abs(fast.history[i].loss - h.loss)).toBeLessThan(1e-3));
    const accPure = pure.evaluation!.accuracy;
    const accFast = fast.evaluation!.accuracy;
    expect(Math.abs(accFast - accPure)).toBeLessThanOrEqual(1 / 60 + 1e-9);
    expect(accFast).toBeGreaterThan(0.3);
    expect(fastSeconds).toBeLessThan(pureSeconds);

    // The returned model is the full image model: same predictions as the pure one on pixels.
    const x = tf.randomUniform([2, 32, 32, 3], 0, 255);
    const pre = x.div(255);
    const pf = fast.model.predict(pre) as tf.Tensor;
    const pp = pure.model.predict(pre) as tf.Tensor;
    expect(fast.model.inputs[0].shape).toEqual([null, 32, 32, 3]);
    expect(tf.max(tf.abs(pf.sub(pp))).dataSync()[0]).toBeLessThan(2e-3);
    tf.dispose([x, pre, pf, pp]);
    fast.model.dispose();
    pure.model.dispose();
  }, 120_000);

  it('reuses the cache on the next run (also after a restart) and recomputes when weights, image size or boundary change', async () => {
    const cacheDir = path.join(root, 'cache-reuse');
    const one = { ...config, epochs: 1 };
    const run = async (c: TrainConfig) => {
      const r = await trainOnImages(c, data, {}, { cacheDir });
      r.model.dispose();
      return r.splits[0];
    };
    const first = await run(one);
    expect(first.extract).toMatchObject({ extracted: 160, cached: 0 });
    // A fresh call opens the cache from disk: nothing of the first call stays in memory.
    const again = await run(one);
    expect(again.extract).toMatchObject({ extracted: 0, cached: 160 });
    expect(again.cacheDir).toBe(first.cacheDir);
    expect(again.extract.seconds).toBeLessThan(first.extract.seconds);

    const changes: Partial<TrainConfig>[] = [{ imageSize: 40 }, { weights: 'none' }, { head: { pooling: 'max' } }, { freezeUntil: 'block_16' }];
    const dirs = new Set([first.cacheDir]);
    for (const change of changes) {
      const r = await run({ ...one, ...change });
      expect(r.extract, JSON.stringify(change)).toMatchObject({ extracted: 160, cached: 0 });
      dirs.add(r.cacheDir);
    }
    expect(dirs.size).toBe(changes.length + 1);
  }, 120_000);

  it('with augmentation, runs the augmented batches through ONNX Runtime every epoch and matches the pure path per epoch', async () => {
    const augment = { flipHorizontal: true, rotation: 10, randomResizedCrop: { scale: [0.8, 1] as [number, number] }, brightness: 0.1, contrast: 0.1 };
    const aug = { ...data, augment };
    const c = { ...config, epochs: 2 };
    const pure = await trainOnImages(c, aug, {}, { mode: 'off' });
    const split = await trainOnImages(c, aug, {}, { mode: 'on', cacheDir: path.join(root, 'cache-aug') });
    expect(pure.splits).toEqual([]);
    expect(split.splits).toHaveLength(1);
    expect(split.splits[0]).toMatchObject({ phases: [1], boundary: 'out_relu', pooling: 'avg', trainFrom: 'augmented' });
    // Only the test images go to the cache: augmented training images never repeat.
    expect(split.splits[0].extract.extracted).toBe(60);
    expect(split.splits[0].sessionSeconds).toBeGreaterThan(0);
    expect(split.engineNotes).toMatch(/frozen part .*onnxruntime-node .*augmented training batches through it every epoch.*trainable part \(head\): tfjs cpu/);
    expect(split.history).toHaveLength(2);
    pure.history.forEach((h, i) => {
      expect(Math.abs(split.history[i].loss - h.loss), `epoch ${i + 1} loss`).toBeLessThan(1e-3);
      expect(Math.abs(split.history[i].acc - h.acc), `epoch ${i + 1} acc`).toBeLessThanOrEqual(1 / 100 + 1e-9);
    });
    // Augmentation did change the inputs: the no-augmentation run has other losses.
    const plain = await trainOnImages(c, data, {}, { cacheDir: path.join(root, 'cache-aug') });
    expect(Math.abs(plain.history[1].loss - split.history[1].loss)).toBeGreaterThan(1e-3);
    for (const r of [pure, split, plain]) r.model.dispose();
  }, 180_000);

  it("mode 'on' fails, naming why, where no block stays frozen", async () => {
    await expect(trainOnImages({ ...config, epochs: 1, freezeUntil: 'none' }, data, {}, { mode: 'on' })).rejects.toThrow(/no block stays frozen/);
  });
});
