// SPDX-License-Identifier: MIT
// Files laid out like the official Keras .h5 weights (names, Keras 2 legacy names, shapes and order
// from the traced manifests in ../shared/keras/models), loaded into the zoo's own models.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../zoo/keras-reference';
import { getModelSpec } from '../zoo/registry';
import { writeLegacyWeightsFromDumps, type LayerDump } from './h5-export';
import { importH5Weights, kerasLegacyNames } from './h5-import';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A deterministic stand-in for the official file: every weight of the manifest up to `upto`, with seeded values. */
function officialLikeDumps(kerasName: string, upto?: string): LayerDump[] {
  const m = loadManifest(kerasName);
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const out: LayerDump[] = [];
  for (const layer of m.layers) {
    const name = layer.keras2_legacy_name ?? layer.name;
    out.push({
      name,
      weights: layer.weights.map((w) => {
        const short = w.name.slice(w.name.lastIndexOf('/') + 1);
        const n = w.shape.reduce((a, b) => a * b, 1);
        const values = new Float32Array(n);
        for (let i = 0; i < n; i++) values[i] = next();
        return { name: `${name}/${short}`, shape: w.shape, values };
      }),
    });
    if (layer.name === upto) break;
  }
  return out;
}

function expectLoaded(model: tf.LayersModel, dumps: LayerDump[]): void {
  const fileWeighted = dumps.filter((d) => d.weights.length > 0);
  const modelWeighted = model.layers.filter((l) => l.weights.length > 0);
  expect(modelWeighted.length).toBe(fileWeighted.length);
  modelWeighted.forEach((layer, i) => {
    layer.weights.forEach((v, k) => {
      const got = v.read().dataSync();
      const want = fileWeighted[i].weights[k].values;
      expect(got.length, `${layer.name}/${v.originalName}`).toBe(want.length);
      for (let j = 0; j < want.length; j += 97) if (got[j] !== want[j]) expect.fail(`${v.originalName}[${j}] = ${got[j]}, file has ${want[j]}`);
    });
  });
}

describe('official-layout files into zoo models', () => {
  it('MobileNetV2 with top: by position and by name (Logits → predictions)', async () => {
    const spec = getModelSpec('MobileNetV2');
    const dumps = officialLikeDumps('MobileNetV2');
    expect(dumps.some((d) => d.name === 'Logits')).toBe(true);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-zoo-')), 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5');
    await writeLegacyWeightsFromDumps(file, dumps, { weightNames: 'keras2', kerasVersion: '2.1.3' });
    for (const byName of [false, true]) {
      const model = spec.build({ inputShape: [96, 96, 3] });
      const report = await importH5Weights(model, file, { byName });
      expect(report.weightsLoaded).toBe(262);
      expect(report.missing).toEqual([]);
      expect(report.skipped).toEqual([]);
      expectLoaded(model, dumps);
      model.dispose();
    }
  });

  it('DenseNet121 notop by name: nested conv1/conv groups of the Keras 2 file', async () => {
    const spec = getModelSpec('DenseNet121');
    const dumps = officialLikeDumps('DenseNet121', spec.featureLayer);
    expect(kerasLegacyNames('DenseNet121')).toMatchObject({ conv1_conv: 'conv1/conv', conv1_bn: 'conv1/bn' });
    expect(dumps.map((d) => d.name)).toContain('conv1/conv');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-zoo-')), 'densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5');
    await writeLegacyWeightsFromDumps(file, dumps, { weightNames: 'keras2' });
    const model = spec.build({ includeTop: false, inputShape: [32, 32, 3] });
    const byName = await importH5Weights(model, file, { byName: true });
    expect(byName.loaded).toContain('conv1_conv');
    expect(byName.missing).toEqual([]);
    expect(byName.skipped).toEqual([]);
    expectLoaded(model, dumps);
    model.dispose();
  });

  it('InceptionV3 notop by name: Keras 2 auto-names are one off (file conv2d_1 is today\'s conv2d)', async () => {
    const spec = getModelSpec('InceptionV3');
    const dumps = officialLikeDumps('InceptionV3', spec.featureLayer);
    expect(dumps.find((d) => d.weights.length > 0)?.name).toBe('conv2d_1');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-zoo-')), 'inception_v3_notop.h5');
    await writeLegacyWeightsFromDumps(file, dumps, { weightNames: 'keras2' });
    const model = spec.build({ includeTop: false, inputShape: [75, 75, 3] });
    const report = await importH5Weights(model, file, { byName: true });
    expect(report.missing).toEqual([]);
    expect(report.skipped).toEqual([]);
    expectLoaded(model, dumps);
    model.dispose();
  });

  it('the head of another class count fails by name without skipMismatch, and loads the body with it', async () => {
    const spec = getModelSpec('MobileNetV2');
    const dumps = officialLikeDumps('MobileNetV2');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-zoo-')), 'mnv2.h5');
    await writeLegacyWeightsFromDumps(file, dumps, { weightNames: 'keras2' });
    const model = spec.build({ inputShape: [96, 96, 3], classes: 7 });
    await expect(importH5Weights(model, file, { byName: true })).rejects.toMatchObject({
      code: 'WEIGHTS_MISMATCH',
      message: expect.stringContaining('layer predictions (Logits in the file): weight kernel expects shape [1280, 7]'),
    });
    const report = await importH5Weights(model, file, { byName: true, skipMismatch: true });
    expect(report.skipped.map((s) => s.weight)).toEqual(['Logits/kernel:0', 'Logits/bias:0']);
    expect(report.loaded).toHaveLength(104);
    model.dispose();
  });
});
