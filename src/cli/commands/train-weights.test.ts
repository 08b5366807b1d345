// SPDX-License-Identifier: MIT
// `train --weights FILE` and `train` of a classic with weights none, through the real CLI in child
// processes: a MobileNetV2 .h5 written by real Keras starts the run (its frozen weights come out
// unchanged in the trained model), a broken or foreign file is refused before a run is created
// with a message naming the file, and LeNet-5 trains from scratch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyDataset } from '../../../test/fixtures/images';
import { pythonMissing, runPython } from '../../../test/python';
import { loadModelArtifact } from '../../engine/artifacts/model-artifact';
import { openDatabase } from '../../store/db';
import { getRun, listRuns } from '../../store/repos/runs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'transfer-studio.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-train-weights-'));
const data = path.join(tmp, 'shapes');
const mine = path.join(tmp, 'my_mobilenetv2.h5');
const env = (home: string) => ({ ...process.env, TRANSFER_STUDIO_HOME: home, KERAS_HOME: path.join(home, 'keras') });
const cli = (home: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: env(home), encoding: 'utf8', timeout: 240_000 });
const result = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as { type: string; runId: number; status: string; metrics: { accuracy: number; n: number }; modelDir: string; error?: { code: string; message: string } };
const tiny = ['--data', data, '--epochs', '1', '--image-size', '32', '--batch', '8', '--no-augment', '--fine-tune-epochs', '0', '--json'];

/** Sum of |w| of a layer's first weight, searching nested models (the backbone may be one layer of the classifier). */
function kernelAbsSum(model: tf.LayersModel, name: string): number | undefined {
  for (const layer of model.layers) {
    if (layer.name === name) return Array.from(layer.getWeights()[0].dataSync()).reduce((a, b) => a + Math.abs(b), 0);
    const inner = (layer as unknown as { layers?: unknown }).layers ? kernelAbsSum(layer as unknown as tf.LayersModel, name) : undefined;
    if (inner !== undefined) return inner;
  }
  return undefined;
}

let kerasSums: Record<string, number> = {};

beforeAll(async () => {
  await writeTinyDataset(data, { counts: { red: 8, green: 8, blue: 8 }, size: 32 });
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(pythonMissing())('transfer-studio train --weights FILE (a MobileNetV2 .h5 written by Keras)', () => {
  beforeAll(() => {
    // Random but seeded weights, not ImageNet's: the test proves they are the file's, not the cache's.
    const out = runPython(
      [
        'import json, sys, keras, numpy as np',
        'keras.utils.set_random_seed(7)',
        'm = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))',
        'm.save(sys.argv[1])',
        'print(json.dumps({n: float(np.abs(m.get_layer(n).get_weights()[0]).sum()) for n in ["Conv1", "block_16_project"]}))',
      ].join('\n'),
      [mine],
    );
    kerasSums = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
  }, 300_000);

  it('trains from the file, records it as the run’s weights, and keeps its frozen weights in the model', async () => {
    const home = path.join(tmp, 'home-file');
    const r = cli(home, 'train', '--backbone', 'mobilenetv2', '--weights', mine, '--freeze-until', 'all', ...tiny);
    expect(r.status, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const res = result(r.stdout);
    expect(res).toMatchObject({ type: 'result', status: 'completed' });
    expect(res.metrics.n).toBeGreaterThan(0);
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    try {
      const run = getRun(db, res.runId)!;
      expect(run.weights).toBe(mine);
      expect(run.engineNotes).toContain(`weights: ${mine} (your own file`);
    } finally {
      db.close();
    }
    const { model } = await loadModelArtifact(res.modelDir);
    try {
      // The backbone was frozen: its kernels are the Keras file's, to float32 rounding.
      for (const [layer, sum] of Object.entries(kerasSums)) expect(kernelAbsSum(model, layer), layer).toBeCloseTo(sum, 1);
    } finally {
      model.dispose();
    }
  });

  it('refuses a broken file and a file of another model before any run is created, naming the file', () => {
    const home = path.join(tmp, 'home-bad');
    const broken = path.join(tmp, 'broken.h5');
    writeFileSync(broken, 'not an HDF5 file at all');
    const foreign = path.join(repo, 'test/fixtures/keras-weights/tiny_full.h5');
    const missing = path.join(tmp, 'absent.h5');
    for (const [file, code] of [[broken, 'FILE_CORRUPT'], [foreign, 'WEIGHTS_MISMATCH'], [missing, 'NOT_FOUND']] as const) {
      const r = cli(home, 'train', '--backbone', 'mobilenetv2', '--weights', file, ...tiny);
      expect(r.status, file).not.toBe(0);
      const err = result(r.stdout).error!;
      expect(err.code, err.message).toBe(code);
      expect(err.message).toContain(file);
      // Without --json the same message goes to stderr for a person.
      const plain = cli(home, 'train', '--backbone', 'mobilenetv2', '--weights', file, ...tiny.filter((a) => a !== '--json'));
      expect(plain.status).not.toBe(0);
      expect(plain.stderr).toContain(`transfer-studio: ${err.message}`);
    }
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    try {
      expect(listRuns(db)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('transfer-studio train of a classic with weights none', () => {
  it('trains LeNet-5 from scratch and says so', () => {
    const home = path.join(tmp, 'home-classic');
    const r = cli(home, 'train', '--backbone', 'lenet5', '--weights', 'none', '--freeze-until', 'none', '--lr', '0.01', ...tiny.map((a) => (a === '1' ? '3' : a)));
    expect(r.status, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const res = result(r.stdout);
    expect(res).toMatchObject({ type: 'result', status: 'completed' });
    // 24 images, 10% test of 3 classes: at least one per class is scored.
    expect(res.metrics.n).toBeGreaterThanOrEqual(3);
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    try {
      const run = getRun(db, res.runId)!;
      expect([run.backbone, run.weights]).toEqual(['lenet5', 'none']);
      expect(run.engineNotes).toMatch(/weights: none \(lenet5\.scratch/);
      expect(run.engineNotes).toContain('no fine-tuning phase');
    } finally {
      db.close();
    }
    // An ImageNet tag the classic does not have is refused with the tags it has.
    const bad = cli(home, 'train', '--backbone', 'lenet5', '--weights', 'imagenet', ...tiny);
    expect(bad.status).not.toBe(0);
    expect(result(bad.stdout).error!.message).toMatch(/LeNet-5.*none|none.*LeNet-5/s);
  });
});
