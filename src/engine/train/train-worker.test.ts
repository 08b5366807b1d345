// SPDX-License-Identifier: MIT
// The training worker runs trainOnImages for jobs with `images` and reports which engine ran what.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { runTrainingInWorker } from '../train/run-in-worker';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('training worker with images', () => {
  it('trains on cached features in the worker and returns the engine notes; a second job reuses the cache', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fastpath-worker-'));
    dirs.push(root);
    const tr = await writeFashionMnistFolder(root, { perClass: 4, splits: ['train'] });
    const te = await writeFashionMnistFolder(root, { perClass: 2, splits: ['test'] });
    const items = (f: typeof tr.files) => f.map((x) => ({ path: x.path, label: x.label }));
    const args = { root, classes: Array.from({ length: 10 }, (_, i) => `c${i}`), train: items(tr.files), validation: [], test: items(te.files), imageSize: 32, batch: 8, seed: 1 };
    const job = {
      config: { backbone: 'mobilenetv2', weights: 'nsfwjs', imageSize: 32, epochs: 1, seed: 1 },
      images: { module: path.join(here, '../runs/folder-data.ts'), export: 'folderImageData', args },
      fastPath: { cacheDir: path.join(root, 'cache') },
    };
    const first = await runTrainingInWorker(job);
    expect(first.engineNotes).toMatch(/onnxruntime-node .* CPU.*0 reused, 60 extracted.*trainable part \(head\): tfjs cpu/);
    expect(first.evaluation?.n).toBe(20);
    const second = await runTrainingInWorker(job);
    expect(second.engineNotes).toMatch(/60 reused, 0 extracted/);
    expect(second.history[0].loss).toBeCloseTo(first.history[0].loss, 6);
  }, 120_000);
});
