// SPDX-License-Identifier: MIT
// Really trains: coloured shapes (disc / square / triangle in random colours, positions, sizes),
// a small conv net from scratch, the custom loop end to end, on the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesData, tinyBackbone } from '../../../test/fixtures/synthetic';
import { zooBackboneLoader } from './backbone-loader';
import { trainModel } from './train-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training for real', () => {
  it('learns shapes well above chance within a few epochs', async () => {
    const SIZE = 16;
    const data = shapesData({ train: 180, val: 45, test: 60, size: SIZE, batch: 16, seed: 21 });
    const started = performance.now();
    const r = await trainModel(
      { backbone: 'tiny', weights: null, freezeUntil: 'none', epochs: 5, lr: 5e-3, seed: 4, head: { pooling: 'max', dropout: 0.1 } },
      data,
      { loadBackbone: async () => tinyBackbone({ size: SIZE, filters: [4, 8, 16], seed: 9 }) },
    );
    const seconds = (performance.now() - started) / 1000;
    const ev = r.evaluation;
    expect(ev?.n).toBe(60);
    // Chance is 1/3.
    expect(ev?.accuracy).toBeGreaterThan(0.8);
    expect(r.history.at(-1)?.loss).toBeLessThan(r.history[0].loss);
    expect(ev?.perClass.map((c) => c.name)).toEqual(['disc', 'square', 'triangle']);
    expect(ev?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(seconds).toBeLessThan(110);
    r.model.dispose();
  });

  it('drives a zoo backbone (MobileNetV2, 32 px, random init): head phase, then its top block', async () => {
    const data = shapesData({ train: 32, val: 16, size: 32, batch: 16, seed: 5, scale: 'raw' });
    const frozenBefore = new Map<string, number[]>();
    const r = await trainModel(
      { backbone: 'mobilenetv2', weights: null, imageSize: 32, epochs: 1, lr: 1e-2, seed: 1, bnInference: true, fineTune: { blocks: 1, epochs: 1 } },
      data,
      {
        loadBackbone: async (config) => {
          const bb = await zooBackboneLoader()(config);
          for (const name of ['block_15_project', 'Conv_1', 'Conv_1_bn']) frozenBefore.set(name, Array.from(bb.model.getLayer(name).getWeights()[0].dataSync()));
          return bb;
        },
      },
    );
    expect(r.history.map((e) => e.phase)).toEqual([1, 2]);
    const now = (name: string) => Array.from(r.model.getLayer(name).getWeights()[0].dataSync());
    // fineTune.blocks = 1 unfreezes the top block ('conv_1'), nothing below it.
    expect(now('Conv_1')).not.toEqual(frozenBefore.get('Conv_1'));
    expect(now('block_15_project')).toEqual(frozenBefore.get('block_15_project'));
    expect(r.evaluation?.n).toBe(16);
    r.model.dispose();
  });
});
