// SPDX-License-Identifier: MIT
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineSource } from './data-source';
import { makeShapes, SHAPE_CLASSES, tinyBackbone } from '../../../test/fixtures/synthetic';
import { trainModel } from './train-model';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-train-png-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writePngs(n: number, seed: number, sub: string) {
  const d = makeShapes({ n, size: 24, seed, scale: 'raw' });
  const items = [];
  for (let i = 0; i < n; i++) {
    const rel = path.join(sub, SHAPE_CLASSES[d.y[i]], `${i}.png`);
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    const px = Buffer.from(Uint8Array.from(d.x.subarray(i * 24 * 24 * 3, (i + 1) * 24 * 24 * 3), (v) => Math.round(v)));
    await sharp(px, { raw: { width: 24, height: 24, channels: 3 } }).png().toFile(path.join(dir, rel));
    items.push({ path: rel, label: d.y[i] });
  }
  return items;
}

describe('pipelineSource', () => {
  it('trains on PNG files through the data pipeline (decode, resize, batches per epoch)', async () => {
    const train = await writePngs(24, 1, 'train');
    const val = await writePngs(12, 2, 'val');
    const common = { root: dir, batchSize: 8, decode: { width: 16, height: 16 }, workers: 1, seed: 3 };
    const src = pipelineSource({ ...common, items: train, shuffle: true }, 3);
    expect(src.classCounts).toEqual([8, 8, 8]);
    const seen: number[] = [];
    const r = await trainModel(
      { backbone: 'tiny', weights: null, epochs: 2, lr: 1e-2, seed: 1 },
      { train: src, val: pipelineSource({ ...common, items: val }, 3), classNames: [...SHAPE_CLASSES] },
      {
        loadBackbone: async () => ({ ...tinyBackbone({ size: 16, filters: [4, 8, 8] }), preprocess: (x) => x.div(127.5).sub(1) }),
        onBatch: (e) => seen.push(e.batch),
      },
    );
    expect(seen).toEqual([1, 2, 3, 1, 2, 3]);
    expect(r.evaluation?.n).toBe(12);
    // Ids in the mistakes list are the pipeline's file paths.
    for (const m of r.evaluation?.misclassified ?? []) expect(m.id).toContain(`${SHAPE_CLASSES[m.label]}${path.sep}`);
    r.model.dispose();
  });
});
