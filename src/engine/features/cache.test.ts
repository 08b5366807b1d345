// SPDX-License-Identifier: MIT
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureCache, featureCacheKeyHash, type FeatureCacheKey } from './cache';

const KEY: FeatureCacheKey = {
  model: 'mobilenetv2',
  weights: 'nsfwjs@4.4.0',
  boundary: 'block_12_add',
  pooling: null,
  preprocess: 'unit',
  inputSize: [96, 96],
  decode: {},
  frozenSha256: 'a'.repeat(64),
};

const hash = (i: number) => i.toString(16).padStart(64, '0');
const rows = (n: number, per: number, base = 0) => Float32Array.from({ length: n * per }, (_, i) => base + i * 0.5);

describe('FeatureCache', () => {
  it('keeps rows across a restart (a new instance reads what the old one wrote) and reads them by hash in any order', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fcache-'));
    const a = FeatureCache.open(root, KEY, [2, 2, 3]);
    a.append([hash(1), hash(2), hash(3)], rows(3, 12));
    a.close();
    const b = FeatureCache.open(root, KEY, [2, 2, 3]);
    expect(b.size).toBe(3);
    expect(b.missing([hash(3), hash(4), hash(4)])).toEqual([hash(4)]);
    const got = b.read([hash(3), hash(1), hash(3)]);
    const all = rows(3, 12);
    expect(Array.from(got)).toEqual([...all.subarray(24, 36), ...all.subarray(0, 12), ...all.subarray(24, 36)]);
    b.append([hash(4)], rows(1, 12, 1000));
    b.close();
    const c = FeatureCache.open(root, KEY, [2, 2, 3]);
    expect(c.size).toBe(4);
    expect(c.read([hash(4)])[11]).toBe(1000 + 11 * 0.5);
    expect(readdirSync(c.dir).filter((f) => f.endsWith('.feat'))).toHaveLength(2);
    c.close();
  });

  it('puts every key change in its own folder, so a changed weight, boundary or size starts empty', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fcache-'));
    const a = FeatureCache.open(root, KEY, [1, 1, 4]);
    a.append([hash(1)], rows(1, 4));
    a.close();
    for (const change of [{ frozenSha256: 'b'.repeat(64) }, { boundary: 'block_13_expand_relu' }, { inputSize: [128, 128] as [number, number] }, { preprocess: 'tf' }, { decode: { interpolation: 'nearest' } }]) {
      const other = { ...KEY, ...change };
      expect(featureCacheKeyHash(other)).not.toBe(featureCacheKeyHash(KEY));
      const c = FeatureCache.open(root, other, [1, 1, 4]);
      expect(c.size).toBe(0);
      c.close();
    }
    // Field order does not matter.
    const reordered = Object.fromEntries(Object.entries(KEY).reverse()) as unknown as FeatureCacheKey;
    expect(featureCacheKeyHash(reordered)).toBe(featureCacheKeyHash(KEY));
    expect(FeatureCache.open(root, reordered, [1, 1, 4]).size).toBe(1);
  });

  it('drops a shard a crash left half-written (temp file) and refuses a corrupt one by name', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fcache-'));
    const a = FeatureCache.open(root, KEY, [1, 1, 2]);
    a.append([hash(1)], rows(1, 2));
    a.close();
    writeFileSync(path.join(a.dir, '.tmp-zzz.feat'), 'partial');
    const b = FeatureCache.open(root, KEY, [1, 1, 2]);
    expect(b.size).toBe(1);
    b.close();
    expect(readdirSync(a.dir).some((f) => f.startsWith('.tmp'))).toBe(false);
    writeFileSync(path.join(a.dir, 'zz-bad.feat'), 'not a shard at all');
    expect(() => FeatureCache.open(root, KEY, [1, 1, 2])).toThrow(/zz-bad\.feat is unreadable/);
  });

  it('refuses rows of the wrong length and unknown hashes with what was received', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fcache-'));
    const a = FeatureCache.open(root, KEY, [1, 1, 3]);
    expect(() => a.append([hash(1)], new Float32Array(4))).toThrow(/need 3 values; received 4/);
    expect(() => a.read([hash(9)])).toThrow(new RegExp(`No cached features for image ${hash(9)}`));
    a.close();
  });
});
