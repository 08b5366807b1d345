// SPDX-License-Identifier: MIT
// A bounded soak in one process: classify a folder of generated images several times over, and
// train a small model for many epochs; resident memory, open file descriptors and live tensors
// must stay flat after the first (warm-up) round. Default 2,000 images x 3 rounds (well under a
// minute); TRANSFER_STUDIO_SOAK_IMAGES=20000 runs the full size (opt-in, several minutes).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifact } from '../../src/engine/artifacts/model-artifact';
import { classifyFolder } from '../../src/engine/classify/classify-folder';
import { resolveModelDir } from '../../src/engine/classify/resolve-model';
import type { ResultSink } from '../../src/engine/classify/types';

const IMAGES = Number(process.env.TRANSFER_STUDIO_SOAK_IMAGES ?? 2000);
const ROUNDS = 3;
/** Allowed growth between the warm-up round and the last one. */
const RSS_TOLERANCE_MB = 80;
const FD_TOLERANCE = 4;

const tmp = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'ts-soak-'));
const photos = path.join(tmp, 'photos');
const fds = (): number => readdirSync('/proc/self/fd').length;
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const classes = ['red', 'green', 'blue', 'grey'];
  for (const c of classes) mkdirSync(path.join(photos, c), { recursive: true });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const c = i % 4;
    const v = (i * 37) % 256;
    const color = [c === 0 ? 255 : v, c === 1 ? 255 : v, c === 2 ? 255 : v];
    writes.push(
      sharp({ create: { width: 16, height: 16, channels: 3, background: { r: color[0], g: color[1], b: color[2] } } })
        .png()
        .toBuffer()
        .then((b) => writeFile(path.join(photos, classes[c], `${i}.png`), b)),
    );
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux')('soak (memory and file handles stay flat)', () => {
  it(`classifies ${IMAGES} images ${ROUNDS} times in one process`, async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 3] }), tf.layers.dense({ units: 4, activation: 'softmax' })] });
    const dir = path.join(tmp, 'model');
    await saveModelArtifact(model, dir, { labels: ['red', 'green', 'blue', 'grey'], inputSize: 16, preprocess: 'tf', backbone: 'none', weights: 'none' });
    model.dispose();
    const resolved = await resolveModelDir(dir);
    let seen = 0;
    const sink: ResultSink = { has: () => false, reuse: () => undefined, write: (r) => void (seen += r.length) };
    const figures: { rss: number; fds: number; tensors: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const s = await classifyFolder(resolved, sink, { root: photos, recursive: true, batchSize: 32, workers: 1, onnxCacheDir: path.join(tmp, 'onnx') });
      expect(s.classified).toBe(IMAGES);
      global.gc?.();
      figures.push({ rss: rssMb(), fds: fds(), tensors: tf.memory().numTensors });
    }
    expect(seen).toBe(IMAGES * ROUNDS);
    const [warm, last] = [figures[0], figures[figures.length - 1]];
    expect(last.fds - warm.fds, JSON.stringify(figures)).toBeLessThanOrEqual(FD_TOLERANCE);
    expect(last.rss - warm.rss, JSON.stringify(figures)).toBeLessThan(RSS_TOLERANCE_MB);
    expect(last.tensors, JSON.stringify(figures)).toBe(warm.tensors);
  }, 600_000);

  it('trains for 60 epochs without growing', async () => {
    // Dense layers only: the pure-JS cpu backend's convolutions would make this minutes long.
    const n = 256;
    const x = tf.randomUniform([n, 8, 8, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.randomUniform([n], 0, 4, 'int32', 2), 4);
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 32, activation: 'relu' }), tf.layers.dense({ units: 4, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const figures: { rss: number; fds: number; tensors: number }[] = [];
    for (let block = 0; block < 6; block++) {
      await model.fit(x, y, { epochs: 10, batchSize: 32, verbose: 0 });
      figures.push({ rss: rssMb(), fds: fds(), tensors: tf.memory().numTensors });
    }
    const [warm, last] = [figures[0], figures[figures.length - 1]];
    expect(last.tensors, JSON.stringify(figures)).toBe(warm.tensors);
    expect(last.fds - warm.fds, JSON.stringify(figures)).toBeLessThanOrEqual(FD_TOLERANCE);
    expect(last.rss - warm.rss, JSON.stringify(figures)).toBeLessThan(RSS_TOLERANCE_MB);
    tf.dispose([x, y]);
    model.dispose();
  }, 300_000);
});
