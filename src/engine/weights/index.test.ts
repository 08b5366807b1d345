// SPDX-License-Identifier: MIT
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from '../../../test/fixtures/keras-weights/tiny-model';
import { cacheStatus, detectWeightsFormat, downloadWeights, importWeightsFile, remove, verify } from './index';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/keras-weights');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('weights API', () => {
  it('detects formats from content and imports each', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-idx-'));
    const renamed = path.join(dir, 'weights.bin');
    writeFileSync(renamed, Buffer.from(await import('node:fs').then((fs) => fs.readFileSync(path.join(FIX, 'tiny.keras')))));
    expect(await detectWeightsFormat(path.join(FIX, 'tiny_full.h5'))).toBe('h5');
    expect(await detectWeightsFormat(renamed)).toBe('keras');
    expect(await detectWeightsFormat(path.join(FIX, 'expected.json'))).toBe('tfjs');
    expect((await importWeightsFile(tinyModel(), path.join(FIX, 'tiny_full.h5'))).format).toBe('keras-h5-model');
    expect((await importWeightsFile(tinyModel(), renamed)).format).toBe('keras-v3');
    await expect(importWeightsFile(tinyModel(), path.join(FIX, 'expected.json'))).rejects.toMatchObject({ code: 'FILE_CORRUPT' });
    await expect(importWeightsFile(tinyModel(), path.join(dir, 'absent.h5'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('downloadWeights uses a file already in the Keras cache without any network', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'ts-idx-'));
    const s = await cacheStatus('MobileNetV2', { cacheDir });
    writeFileSync(s.variants.notop.path, 'placed by hand');
    const r = await downloadWeights('MobileNetV2', 'notop', { cacheDir, env: { HTTPS_PROXY: 'http://127.0.0.1:9' } });
    expect(r).toMatchObject({ cached: true, path: s.variants.notop.path, bytes: 14 });
    expect((await verify('MobileNetV2', 'notop', { cacheDir })).status).toBe('unverifiable');
    expect(await remove('MobileNetV2', 'notop', { cacheDir })).toBe(true);
  });
});
