// SPDX-License-Identifier: MIT
// Keras-written files (test/fixtures/keras-weights, made by Keras 3.15.1) and files we write,
// loaded into fresh tfjs models; every variable is compared with the values in the file.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeKeras3WeightsH5, writeKerasArchive, writeLegacyModelH5, writeLegacyWeightsH5 } from './h5-export';
import { importH5Weights, keras3LayerPaths, toSnakeCase } from './h5-import';
import { importKerasArchive } from './keras-archive';
import { tinyModel } from '../../../test/fixtures/keras-weights/tiny-model';
import { rejection } from '../../../test/fixtures/rejection';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/keras-weights');
const EXPECTED = JSON.parse(readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as { output: number[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The formula make_fixtures.py filled weight k with. */
function formula(k: number, n: number, variance: boolean): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(Math.sin(i * 0.37 + k * 1.3).toFixed(6));
    out[i] = variance ? 0.5 + Math.abs(v) : v;
  }
  return out;
}

function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function expectFixtureValues(model: tf.LayersModel): void {
  let k = 0;
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const got = w.read().dataSync();
      expect(maxDiff(got, formula(k, got.length, w.originalName.endsWith('moving_variance'))), `${w.originalName}`).toBeLessThan(1e-6);
      k++;
    }
  }
  expect(k).toBe(14);
  const x = tf.tensor(Array.from({ length: 192 }, (_, i) => Math.cos(i * 0.11)), [1, 8, 8, 3]);
  const y = (model.predict(x) as tf.Tensor).dataSync();
  expect(maxDiff(y, EXPECTED.output)).toBeLessThan(1e-5);
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ts-h5-'));

describe('Keras-written files', () => {
  it.each([
    ['tiny_legacy_weights.h5', 'keras-h5-weights', false],
    ['tiny_legacy_weights.h5', 'keras-h5-weights', true],
    ['tiny_full.h5', 'keras-h5-model', false],
    ['tiny.weights.h5', 'keras-v3', false],
    ['tiny.weights.h5', 'keras-v3', true],
  ] as const)('%s (byName %s) lands every weight and reproduces Keras output', async (file, format, byName) => {
    const model = tinyModel();
    const report = await importH5Weights(model, path.join(FIX, file), { byName });
    expect(report.format).toBe(format);
    expect(report.loaded).toEqual(['conv1', 'bn1', 'dw', 'bn2', 'predictions']);
    expect(report).toMatchObject({ skipped: [], missing: [], weightsLoaded: 14 });
    expectFixtureValues(model);
  });

  it('reads a .keras archive', async () => {
    const model = tinyModel();
    const report = await importKerasArchive(model, path.join(FIX, 'tiny.keras'));
    expect(report).toMatchObject({ format: 'keras-v3', weightsLoaded: 14, file: path.join(FIX, 'tiny.keras') });
    expectFixtureValues(model);
  });

  it('computes Keras 3 layer paths from class names', () => {
    expect(['ReLU', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'GlobalAveragePooling2D', 'InputLayer'].map(toSnakeCase)).toEqual([
      're_lu',
      'conv2d',
      'depthwise_conv2d',
      'batch_normalization',
      'global_average_pooling2d',
      'input_layer',
    ]);
    expect(keras3LayerPaths(tinyModel().layers)).toEqual([
      'layers/input_layer',
      'layers/conv2d',
      'layers/batch_normalization',
      'layers/re_lu',
      'layers/depthwise_conv2d',
      'layers/batch_normalization_1',
      'layers/global_average_pooling2d',
      'layers/dropout',
      'layers/dense',
    ]);
  });
});

describe('files we write', () => {
  const writers = {
    'legacy weights-only': (m: tf.LayersModel, f: string) => writeLegacyWeightsH5(m, f),
    'legacy weights-only, keras2 names': (m: tf.LayersModel, f: string) => writeLegacyWeightsH5(m, f, { weightNames: 'keras2' }),
    'legacy full model': (m: tf.LayersModel, f: string) => writeLegacyModelH5(m, f),
    'keras 3 weights': (m: tf.LayersModel, f: string) => writeKeras3WeightsH5(m, f),
  };
  for (const [label, write] of Object.entries(writers)) {
    it(`${label}: round trip into a fresh model`, async () => {
      const src = tinyModel();
      const file = path.join(tmp(), 'w.h5');
      await write(src, file);
      const dst = tinyModel();
      const report = await importH5Weights(dst, file);
      expect(report.weightsLoaded).toBe(14);
      const a = snapshot(src);
      const b = snapshot(dst);
      a.forEach((v, i) => expect(maxDiff(v, b[i])).toBe(0));
    });
  }

  it('.keras archive: round trip, stored entries, Keras metadata', async () => {
    const src = tinyModel();
    const file = path.join(tmp(), 'm.keras');
    await writeKerasArchive(src, file);
    const { unzipSync } = await import('fflate');
    const entries = unzipSync(new Uint8Array(readFileSync(file)));
    expect(Object.keys(entries)).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    expect(JSON.parse(Buffer.from(entries['metadata.json']).toString())).toMatchObject({ keras_version: expect.any(String), date_saved: expect.stringMatching(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/) });
    const dst = tinyModel();
    await importKerasArchive(dst, file);
    const a = snapshot(src);
    snapshot(dst).forEach((v, i) => expect(maxDiff(v, a[i])).toBe(0));
  });
});

describe('mismatches and damaged files', () => {
  it('names the file and the first weight that does not fit; the model stays untouched', async () => {
    const model = tinyModel(3);
    const before = snapshot(model);
    const file = path.join(FIX, 'tiny_legacy_weights.h5');
    const err = await rejection(importH5Weights(model, file));
    expect(err.code).toBe('WEIGHTS_MISMATCH');
    expect(err.message).toContain(file);
    expect(err.message).toContain('layer predictions');
    expect(err.message).toContain('[4, 3]');
    expect(err.message).toContain('[4, 5]');
    snapshot(model).forEach((v, i) => expect(maxDiff(v, before[i])).toBe(0));
  });

  it('skipMismatch loads the body and reports the head', async () => {
    const model = tinyModel(3);
    const report = await importH5Weights(model, path.join(FIX, 'tiny.weights.h5'), { skipMismatch: true });
    expect(report.loaded).toEqual(['conv1', 'bn1', 'dw', 'bn2']);
    expect(report.skipped.map((s) => [s.layer, s.expected, s.received])).toEqual([
      ['predictions', [4, 3], [4, 5]],
      ['predictions', [3], [5]],
    ]);
    expect(report.weightsLoaded).toBe(12);
  });

  it('rejects a model with a different number of weighted layers (positional rule)', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const out = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv1' }).apply(input) as tf.SymbolicTensor;
    const err = await rejection(importH5Weights(tf.model({ inputs: input, outputs: out }), path.join(FIX, 'tiny_full.h5')));
    expect(err.code).toBe('WEIGHTS_MISMATCH');
    expect(err.message).toMatch(/5 layers with weights, this model has 1/);
  });

  it.each([
    ['truncated h5', 'tiny_legacy_weights.h5', (b: Buffer) => b.subarray(0, 9000)],
    ['garbage h5', 'tiny_legacy_weights.h5', () => Buffer.from('this is not HDF5 at all')],
    ['truncated .keras', 'tiny.keras', (b: Buffer) => b.subarray(0, b.length >> 1)],
  ] as const)('%s → FILE_CORRUPT naming the file', async (_label, src, damage) => {
    const file = path.join(tmp(), `bad-${src}`);
    writeFileSync(file, damage(readFileSync(path.join(FIX, src))));
    const model = tinyModel();
    const before = snapshot(model);
    const err = await rejection(src.endsWith('.keras') ? importKerasArchive(model, file) : importH5Weights(model, file));
    expect(err.code).toBe('FILE_CORRUPT');
    expect(err.message).toContain(file);
    snapshot(model).forEach((v, i) => expect(maxDiff(v, before[i])).toBe(0));
  });

  it('a .keras with broken config.json or no weights → FILE_CORRUPT', async () => {
    const { zipSync, strToU8, unzipSync } = await import('fflate');
    const good = unzipSync(new Uint8Array(readFileSync(path.join(FIX, 'tiny.keras'))));
    const dir = tmp();
    const broken = path.join(dir, 'broken.keras');
    writeFileSync(broken, zipSync({ ...good, 'config.json': strToU8('{"class_name": "Functional", ') }));
    const e1 = await rejection(importKerasArchive(tinyModel(), broken));
    expect(e1.code).toBe('FILE_CORRUPT');
    expect(e1.message).toContain('config.json');
    const noWeights = path.join(dir, 'noweights.keras');
    writeFileSync(noWeights, zipSync({ 'metadata.json': good['metadata.json'], 'config.json': good['config.json'] }));
    const e2 = await rejection(importKerasArchive(tinyModel(), noWeights));
    expect(e2.code).toBe('FILE_CORRUPT');
    expect(e2.message).toContain('model.weights.h5');
  });

  it('a missing file → NOT_FOUND', async () => {
    const f = path.join(tmp(), 'nope.h5');
    expect((await rejection(importH5Weights(tinyModel(), f))).code).toBe('NOT_FOUND');
    copyFileSync(path.join(FIX, 'expected.json'), f);
    expect((await rejection(importH5Weights(tinyModel(), f))).code).toBe('FILE_CORRUPT');
  });
});
