// SPDX-License-Identifier: MIT
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheStatus, hashAlgorithmFor, kerasCacheDir, knownWeightUrls, removeCached, verifyCached, verifyFile } from './cache';

describe('weights cache', () => {
  it('uses Keras folders: override, then $KERAS_HOME/models, then ~/.keras/models', () => {
    expect(kerasCacheDir({ cacheDir: '/data/w' })).toBe('/data/w');
    expect(kerasCacheDir({ env: { KERAS_HOME: '/opt/keras' } })).toBe('/opt/keras/models');
    expect(kerasCacheDir({ env: {} })).toBe(path.join(os.homedir(), '.keras', 'models'));
  });

  it('picks the hash algorithm as get_file("auto") does', () => {
    expect(hashAlgorithmFor('a'.repeat(64))).toBe('sha256');
    expect(hashAlgorithmFor('a'.repeat(32))).toBe('md5');
    expect(hashAlgorithmFor(null)).toBe('md5');
  });

  it('reports Keras file names, URLs and hashes, and what is on disk', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-cache-'));
    const s0 = await cacheStatus('ResNet50', { cacheDir: dir });
    expect(s0.variants.notop).toMatchObject({
      fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      path: path.join(dir, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'),
      present: false,
      bytes: 0,
      expectedHash: '4d473c1dd8becc155b73f8504c6f6626',
      hashAlgorithm: 'md5',
    });
    expect(knownWeightUrls().has(s0.variants.top.url)).toBe(true);
    writeFileSync(s0.variants.notop.path, 'not the real weights');
    const s1 = await cacheStatus('ResNet50', { cacheDir: dir });
    expect(s1.variants.notop).toMatchObject({ present: true, bytes: 20 });
    const v = await verifyCached('ResNet50', 'notop', { cacheDir: dir });
    expect(v).toMatchObject({ ok: false, status: 'mismatch', actual: createHash('md5').update('not the real weights').digest('hex') });
    expect((await verifyCached('ResNet50', 'top', { cacheDir: dir })).status).toBe('missing');
    expect(await removeCached('ResNet50', 'notop', { cacheDir: dir })).toBe(true);
    expect((await cacheStatus('ResNet50', { cacheDir: dir })).variants.notop.present).toBe(false);
  });

  it('marks files without a Keras hash as unverifiable (MobileNetV2)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-cache-'));
    const s = await cacheStatus('MobileNetV2', { cacheDir: dir });
    expect(s.variants.top.expectedHash).toBeNull();
    writeFileSync(s.variants.top.path, 'x');
    expect((await verifyFile(s.variants.top.path, null)).status).toBe('unverifiable');
  });

  it('rejects unknown Keras names with MODEL_UNKNOWN', async () => {
    await expect(cacheStatus('ResNet51')).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
  });
});
