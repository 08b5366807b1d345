// SPDX-License-Identifier: MIT
// Garbage in, clear errors out: corrupt model and weights files, a database file that is not
// SQLite (through the CLI), and dataset folders at the edges (10,000 classes, one class, empty, a
// folder deleted while it is imported). Each error names the file; nothing crashes or is lost.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from '../fixtures/keras-weights/tiny-model';
import { loadModelArtifact, saveModelArtifact } from '../../src/engine/artifacts/model-artifact';
import { createSession } from '../../src/engine/onnx/runtime';
import { importWeightsFile } from '../../src/engine/weights/index';
import { createEngineApi } from '../../src/services/api';
import { serializeError } from '../../src/shared/errors';
import { dispatch } from '../../src/shared/ipc/dispatch';
import { integrityCheck, openDatabase } from '../../src/store/db';
import { listDatasets } from '../../src/store/repos/datasets';
import { rejection } from '../fixtures/rejection';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIX = path.join(repo, 'test/fixtures/keras-weights');
// Metadata-heavy work (10,000 folders) goes to memory where /dev/shm exists: on a loaded disk,
// creating and deleting them takes minutes rather than seconds.
const tmp = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'ts-badinput-'));
let png: Buffer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('corrupt model and weights files', () => {
  const cases: [string, string, () => Buffer][] = [
    ['truncated .h5', 'truncated.h5', () => readFileSync(path.join(FIX, 'tiny_full.h5')).subarray(0, 3000)],
    ['HDF5 signature then garbage', 'garbage.h5', () => Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(4096, 7)])],
    ['truncated .keras zip', 'truncated.keras', () => readFileSync(path.join(FIX, 'tiny.keras')).subarray(0, 200)],
    ['zip header then garbage', 'garbage.keras', () => Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(500, 1)])],
    ['model.json that is not JSON', 'model.json', () => Buffer.from('{"modelTopology": {"class_name": ')],
    ['model.json without weights', 'nothing.json', () => Buffer.from(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['missing.bin'], weights: [{ name: 'x', shape: [1], dtype: 'float32' }] }] }))],
  ];
  for (const [label, name, bytes] of cases) {
    it(`${label}: a clear error naming the file; the model keeps its weights`, async () => {
      const file = path.join(tmp, name);
      writeFileSync(file, bytes());
      const model = tinyModel();
      const before = model.getWeights().map((w) => w.dataSync().slice());
      const e = await rejection(importWeightsFile(model, file));
      expect(['FILE_CORRUPT', 'NOT_FOUND', 'WEIGHTS_MISMATCH']).toContain(e.code);
      expect(e.message).toContain(name);
      model.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
      model.dispose();
    });
  }

  it('an ONNX file that is not ONNX: FILE_CORRUPT naming the file', async () => {
    const file = path.join(tmp, 'model.onnx');
    writeFileSync(file, Buffer.from('\x08\x07\x12\x04junk this is not a protobuf graph', 'latin1'));
    const e = await rejection(createSession(file, { threads: 1 }));
    expect(e.code).toBe('FILE_CORRUPT');
    expect(e.message).toContain(file);
  });

  it('a trained model folder whose model.json or weights.bin is damaged: FILE_CORRUPT naming the folder', async () => {
    const dir = path.join(tmp, 'artifact');
    const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 3] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    await saveModelArtifact(m, dir, { labels: ['a', 'b'], inputSize: 4, preprocess: 'tf', backbone: 'none', weights: 'none' });
    m.dispose();
    const weights = readFileSync(path.join(dir, 'weights.bin'));
    writeFileSync(path.join(dir, 'weights.bin'), weights.subarray(0, 10));
    const short = await rejection(loadModelArtifact(dir));
    expect(short.message).toContain(dir);
    writeFileSync(path.join(dir, 'weights.bin'), weights);
    writeFileSync(path.join(dir, 'model.json'), '{ not json');
    const bad = await rejection(loadModelArtifact(dir));
    expect(bad.code).toBe('FILE_CORRUPT');
    expect(bad.message).toContain(dir);
  });
});

describe('a database file that is not SQLite (transfer-studio CLI)', () => {
  it('exits with DB_CORRUPT naming the file and leaves the file byte for byte as it was', () => {
    const home = path.join(tmp, 'notdb');
    mkdirSync(home, { recursive: true });
    const file = path.join(home, 'transfer-studio.db');
    const junk = Buffer.from('These are my notes, not a database.\n'.repeat(200));
    writeFileSync(file, junk);
    const r = spawnSync(process.execPath, [path.join(repo, 'bin/transfer-studio.mjs'), 'datasets', 'list', '--json'], { env: { ...process.env, TRANSFER_STUDIO_HOME: home }, encoding: 'utf8', timeout: 90_000 });
    expect(r.status).toBe(1);
    const e = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(e.code).toBe('DB_CORRUPT');
    expect(e.message).toContain(file);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(createHash('sha256').update(junk).digest('hex'));
  });
});

describe('dataset folders at the edges (datasets.import)', () => {
  const db = openDatabase(':memory:');
  const api = createEngineApi({ db, mode: 'cli' });
  const importRoot = (root: string) => dispatch(api, 'datasets.import', { root }) as Promise<{ dataset: { id: number; classes: string[]; images: number; skipped: unknown[] } }>;
  afterAll(() => db.close());

  it('10,000 classes of one image each', async () => {
    const root = path.join(tmp, 'many');
    for (let i = 0; i < 10_000; i++) {
      const dir = path.join(root, `class ${String(i).padStart(5, '0')}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'a.png'), png);
    }
    const r = await importRoot(root);
    expect(r.dataset.classes).toHaveLength(10_000);
    expect(r.dataset.images).toBe(10_000);
    expect(r.dataset.classes[9_999]).toBe('class 09999');
  }, 120_000);

  it('one class: imported, with its one class named', async () => {
    const root = path.join(tmp, 'one');
    await mkdir(path.join(root, 'cats'), { recursive: true });
    for (let i = 0; i < 3; i++) await writeFile(path.join(root, 'cats', `${i}.png`), png);
    const r = await importRoot(root);
    expect(r.dataset.classes).toEqual(['cats']);
    expect(r.dataset.images).toBe(3);
  });

  it('an empty folder: no classes, no crash', async () => {
    const root = path.join(tmp, 'empty');
    await mkdir(root, { recursive: true });
    const r = await importRoot(root).catch((e: unknown) => e);
    if (r instanceof Error) {
      expect(serializeError(r).code).not.toBe('INTERNAL');
      expect(r.message).toContain(root);
    } else expect((r as { dataset: { images: number } }).dataset.images).toBe(0);
  });

  it('a class folder deleted while the import runs: a result or a clear error, and a consistent database', async () => {
    const root = path.join(tmp, 'vanishing');
    for (const c of ['a', 'b', 'c', 'd']) {
      await mkdir(path.join(root, c), { recursive: true });
      for (let i = 0; i < 400; i++) await writeFile(path.join(root, c, `${i}.png`), png);
    }
    const running = importRoot(root).then(
      (ok) => ({ ok }),
      (err: unknown) => ({ err }),
    );
    await new Promise((r) => setTimeout(r, 30));
    await rm(path.join(root, 'c'), { recursive: true, force: true });
    const out = await running;
    if ('err' in out) {
      expect(serializeError(out.err).code).not.toBe('INTERNAL');
    } else {
      // Files that vanished are either counted (read before the delete) or listed as skipped.
      expect(out.ok.dataset.images + out.ok.dataset.skipped.length).toBeLessThanOrEqual(1600);
      expect(out.ok.dataset.images).toBeGreaterThanOrEqual(1200);
    }
    expect(integrityCheck(db)).toEqual(['ok']);
    // A re-import sees the folder as it is now.
    const again = await importRoot(root);
    expect(again.dataset.classes).toEqual(['a', 'b', 'd']);
    expect(again.dataset.images).toBe(1200);
    expect(listDatasets(db).filter((d) => d.root === root)).toHaveLength(1);
  });
});
