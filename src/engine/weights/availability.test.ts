// SPDX-License-Identifier: MIT
// One availability check for every kind of weights, and the completeness check on a user's own
// file: a real file written from the zoo model loads; a file of another architecture, a folder and
// a missing path are refused naming the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/fixtures/rejection';
import { createModel, getModelSpec, resolveModelId } from '../zoo/registry';
import { checkWeightsFile, requireWeights, weightsStatus } from './availability';
import { writeKeras3WeightsH5, writeLegacyWeightsH5 } from './h5-export';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-avail-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('weightsStatus / requireWeights', () => {
  it('says where the ImageNet file goes, its size and the other weights, with one message everywhere', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const m = resolveModelId('resnet50');
    const s = weightsStatus(m, { cacheDir });
    expect(s.available).toBe(false);
    expect(s.file).toBe(path.join(cacheDir, m.cfg.source.kind === 'download' ? m.cfg.source.fileName : ''));
    expect(s.reason).toBe(
      `The ImageNet weights of ResNet50 (notop, ≈94 MB) are not in the Keras cache: ${s.file} is missing. ` +
        `Download them with \`transfer-studio weights download resnet50 --variant notop\` (or Download on the app's Backbone step), ` +
        `or fetch https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 into ${cacheDir}; or choose other weights (none).`,
    );
    const err = await rejection((async () => requireWeights(m, { cacheDir }))());
    expect([err.code, err.message]).toEqual(['WEIGHTS_MISSING', s.reason]);
    const top = weightsStatus(m, { cacheDir, variant: 'top' });
    expect(top.reason).toMatch(/\(top\) are not in the Keras cache: .*resnet50_weights_tf_dim_ordering_tf_kernels\.h5 is missing\..*--variant top.*into .*cache\.$/);

    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(s.file!, Buffer.alloc(123));
    expect(weightsStatus(m, { cacheDir })).toEqual({ available: true, file: s.file, bytes: 123 });
  });

  it('finds the bundled weights in node_modules and needs nothing for scratch', () => {
    expect(weightsStatus(resolveModelId('mobilenetv2.nsfwjs')).available).toBe(true);
    expect(weightsStatus(resolveModelId('lenet5'))).toEqual({ available: true });
  });
});

describe('checkWeightsFile', () => {
  const lenet = getModelSpec('lenet5');
  it('accepts a complete file of the backbone in the legacy and the Keras 3 layout', async () => {
    const model = createModel(lenet, { includeTop: false, inputShape: [32, 32, 3], pooling: null });
    try {
      await writeLegacyWeightsH5(model, path.join(tmp, 'lenet_notop.h5'));
      await writeKeras3WeightsH5(model, path.join(tmp, 'lenet.weights.h5'));
    } finally {
      model.dispose();
    }
    const legacy = await checkWeightsFile(lenet, path.join(tmp, 'lenet_notop.h5'), 32);
    expect(legacy).toMatchObject({ file: path.join(tmp, 'lenet_notop.h5'), format: 'keras-h5-weights' });
    expect(legacy.weightsLoaded).toBe(6);
    expect((await checkWeightsFile(lenet, path.join(tmp, 'lenet.weights.h5'), 32)).format).toBe('keras-v3');
  });

  it('refuses a file of another architecture, a folder and a missing file, naming the file', async () => {
    const alex = createModel('alexnet', { includeTop: false, pooling: null });
    try {
      await writeLegacyWeightsH5(alex, path.join(tmp, 'alexnet.h5'));
    } finally {
      alex.dispose();
    }
    const wrong = await rejection(checkWeightsFile(lenet, path.join(tmp, 'alexnet.h5'), 32));
    expect(wrong.code).toMatch(/WEIGHTS_MISMATCH/);
    expect(wrong.message).toContain(path.join(tmp, 'alexnet.h5'));
    const dir = await rejection(checkWeightsFile(lenet, tmp, 32));
    expect([dir.code, dir.message]).toEqual(['INVALID_ARGUMENT', `${tmp} is not a file. Pass a Keras .h5 / .keras file or a TF.js model.json as weights.`]);
    const missing = await rejection(checkWeightsFile(lenet, path.join(tmp, 'nope.h5'), 32));
    expect([missing.code, missing.message]).toEqual(['NOT_FOUND', `No such weights file: ${path.join(tmp, 'nope.h5')}. Check the path, or pass imagenet, nsfwjs or none.`]);
  });
});
