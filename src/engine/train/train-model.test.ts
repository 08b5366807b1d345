// SPDX-License-Identifier: MIT
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { arraySource, makeShapes, shapesData, tinyBackbone } from '../../../test/fixtures/synthetic';
import { learningRateAt } from './schedule';
import { trainModel } from './train-model';
import type { BatchEvent, EpochRecord, TrainConfig, TrainHooks } from './types';

const SIZE = 16;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ts-train-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const data = () => shapesData({ train: 48, val: 24, size: SIZE, batch: 16, seed: 3 });
const loadBackbone = async () => tinyBackbone({ size: SIZE, filters: [4, 8, 8], seed: 11, pretrained: true });
const BASE: TrainConfig = { backbone: 'tiny', weights: null, epochs: 2, lr: 1e-2, seed: 5, head: { dropout: 0.3 }, fineTune: { blocks: 1, epochs: 2 } };

async function run(hooks: TrainHooks = {}, config: TrainConfig = BASE) {
  const epochs: EpochRecord[] = [];
  const batches: BatchEvent[] = [];
  const result = await trainModel(config, data(), {
    loadBackbone,
    ...hooks,
    onEpoch: (e) => {
      epochs.push(e);
      hooks.onEpoch?.(e);
    },
    onBatch: (e) => {
      batches.push(e);
      hooks.onBatch?.(e);
    },
  });
  return { result, epochs, batches };
}

const losses = (h: EpochRecord[]) => h.map((e) => [e.phase, e.epoch, e.loss, e.valLoss]);

describe('trainModel', () => {
  let reference: Awaited<ReturnType<typeof run>>;

  it('runs both phases, reports batches and epochs, and is deterministic with a seed', async () => {
    reference = await run({ checkpointDir: tmp() });
    const h = reference.result.history;
    expect(h.map((e) => [e.phase, e.epoch])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
    // Phase 2 runs at lr x 0.1 by default.
    expect(h[0].lr).toBeCloseTo(1e-2, 12);
    expect(h[2].lr).toBeCloseTo(1e-3, 12);
    expect(reference.batches).toHaveLength(4 * 3);
    const b = reference.batches[4];
    expect(b).toMatchObject({ phase: 1, epoch: 2, batch: 2, batches: 3 });
    expect(b.imagesPerSec).toBeGreaterThan(0);
    expect(b.etaSeconds).toBeGreaterThan(0);
    expect(reference.batches.at(-1)?.etaSeconds).toBe(0);
    expect(reference.result.evaluation?.n).toBe(24);
    const tensorsBefore = tf.memory().numTensors;
    const again = await run();
    expect(losses(again.result.history)).toEqual(losses(h));
    again.result.model.dispose();
    // No tensor leaks: everything the run made is gone with its model.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('resumes from the last complete epoch after a cancel mid-epoch and repeats the uninterrupted run', async () => {
    const dir = tmp();
    const controller = new AbortController();
    let seen = 0;
    const first = run({
      checkpointDir: dir,
      signal: controller.signal,
      onBatch: (e) => {
        seen += 1;
        if (e.phase === 1 && e.epoch === 2 && e.batch === 2) controller.abort();
      },
    });
    await expect(first).rejects.toSatisfy((err: unknown) => AppError.is(err, 'CANCELLED'));
    // Cancelled within one batch: no batch ran after the one that aborted (3 + 2 batches).
    expect(seen).toBe(5);
    expect(readFileSync(path.join(dir, 'LATEST'), 'utf8')).toBe('ckpt-p1-e0001');
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp'))).toEqual([]);

    const resumed = await run({ checkpointDir: dir, resume: true });
    expect(resumed.result.resumed).toBe(true);
    expect(resumed.epochs.map((e) => [e.phase, e.epoch])).toEqual([
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
    const got = resumed.result.history;
    const want = reference.result.history;
    expect(got).toHaveLength(want.length);
    got.forEach((e, i) => {
      expect(e.loss).toBeCloseTo(want[i].loss, 5);
      expect(e.valLoss).toBeCloseTo(want[i].valLoss as number, 5);
    });
    expect(resumed.result.evaluation?.accuracy).toBeCloseTo(reference.result.evaluation?.accuracy as number, 6);
  });

  it('resumes inside phase 2 with the optimizer state of that phase', async () => {
    const dir = tmp();
    const controller = new AbortController();
    await expect(
      run({ checkpointDir: dir, signal: controller.signal, onBatch: (e) => e.phase === 2 && e.epoch === 2 && e.batch === 1 && controller.abort() }),
    ).rejects.toSatisfy((err: unknown) => AppError.is(err, 'CANCELLED'));
    const state = JSON.parse(readFileSync(path.join(dir, readFileSync(path.join(dir, 'LATEST'), 'utf8'), 'state.json'), 'utf8'));
    expect(state).toMatchObject({ phase: 2, epochsDone: 1 });
    expect(state.optimizer.slots[0].key).toBe('iter');
    const resumed = await run({ checkpointDir: dir, resume: true });
    expect(losses(resumed.result.history).map((r) => r.slice(0, 2))).toEqual(losses(reference.result.history).map((r) => r.slice(0, 2)));
    expect(resumed.result.history[3].loss).toBeCloseTo(reference.result.history[3].loss, 5);
  });

  it('refuses to resume a checkpoint of another configuration', async () => {
    const dir = tmp();
    await run({ checkpointDir: dir }, { ...BASE, epochs: 1, fineTune: undefined });
    await expect(run({ checkpointDir: dir, resume: true }, { ...BASE, head: { hidden: 8 } })).rejects.toSatisfy((err: unknown) => AppError.is(err, 'CONFLICT'));
  });

  it('keeps frozen layers and backbone BN statistics fixed, trains the unfrozen top block in phase 2', async () => {
    const bb = await loadBackbone();
    const snapshot = (m: tf.LayersModel, name: string, i: number) => Array.from(m.getLayer(name).getWeights()[i].dataSync());
    const stem = snapshot(bb.model, 'stem_conv', 0);
    const top = snapshot(bb.model, 'block2_conv', 0);
    const bnMean = snapshot(bb.model, 'block2_bn', 2);
    const r = await trainModel(BASE, data(), { loadBackbone: async () => bb });
    expect(snapshot(r.model, 'stem_conv', 0)).toEqual(stem);
    expect(snapshot(r.model, 'block2_conv', 0)).not.toEqual(top);
    expect(snapshot(r.model, 'block2_bn', 2)).toEqual(bnMean);
  });

  it('stops early on validation loss and returns the best epoch weights', async () => {
    // Validation = the training images with shifted labels: the better the model fits, the worse val loss gets.
    const t = makeShapes({ n: 48, size: SIZE, seed: 3 });
    const train = arraySource(t.x, t.y, { size: SIZE, batch: 16, seed: 3, numClasses: 3 });
    const wrongVal = arraySource(t.x, t.y.map((y) => (y + 1) % 3), { size: SIZE, batch: 16, shuffle: false, numClasses: 3 });
    const config: TrainConfig = { ...BASE, epochs: 12, lr: 3e-2, patience: 2, freezeUntil: 'none', head: { dropout: 0 }, fineTune: undefined };
    const r = await trainModel(config, { train, val: wrongVal, classNames: ['a', 'b', 'c'] }, { loadBackbone });
    expect(r.history.length).toBeLessThan(12);
    const best = r.history.reduce((a, e) => ((e.valLoss as number) < (a.valLoss as number) ? e : a));
    expect(r.best).toMatchObject({ epoch: best.epoch, phase: 1 });
    expect(r.history.length).toBe(best.epoch + 2);
    // The evaluation (on val here) is of the restored best weights.
    expect(r.evaluation?.logLoss).toBeCloseTo(best.valLoss as number, 4);
  });

  it('validates the config with messages that echo the value', async () => {
    await expect(run({}, { ...BASE, epochs: 0 })).rejects.toThrow(/epochs must be an integer >= 1. Received: 0/);
    await expect(run({}, { ...BASE, classWeights: [1, 2] })).rejects.toThrow(/classWeights must hold 3/);
  });

  it('writes checkpoints atomically under the directory it was given', async () => {
    const dir = tmp();
    await run({ checkpointDir: dir }, { ...BASE, epochs: 1, fineTune: undefined });
    expect(readdirSync(dir).sort()).toEqual(['LATEST', 'best', 'ckpt-p1-e0001']);
    expect(existsSync(path.join(dir, 'ckpt-p1-e0001', 'weights.bin'))).toBe(true);
  });

  it('trains with SGD + momentum, warm-up then cosine, label smoothing and balanced class weights, and resumes it', async () => {
    const config: TrainConfig = {
      ...BASE,
      optimizer: 'sgd',
      momentum: 0.9,
      epochs: 3,
      lr: 5e-2,
      schedule: 'cosine',
      warmupEpochs: 1,
      labelSmoothing: 0.1,
      classWeights: 'balanced',
      fineTune: undefined,
    };
    const full = await run({}, config);
    // 3 batches per epoch: warm-up over the first 3 steps, cosine over the remaining 6.
    const expected = Array.from({ length: 9 }, (_, step) => learningRateAt(step, { schedule: 'cosine', baseLr: 5e-2, stepsPerEpoch: 3, epochs: 3, warmupEpochs: 1 }));
    full.batches.forEach((b, i) => expect(b.lr).toBeCloseTo(expected[i], 12));
    expect(expected[0]).toBeCloseTo(5e-2 / 3, 12);
    expect(full.result.history.every((e) => Number.isFinite(e.loss))).toBe(true);

    const dir = tmp();
    const controller = new AbortController();
    await expect(run({ checkpointDir: dir, signal: controller.signal, onBatch: (e) => e.epoch === 3 && e.batch === 1 && controller.abort() }, config)).rejects.toSatisfy((err: unknown) =>
      AppError.is(err, 'CANCELLED'),
    );
    const resumed = await run({ checkpointDir: dir, resume: true }, config);
    expect(resumed.batches.map((b) => b.lr)).toEqual(full.batches.slice(6).map((b) => b.lr));
    expect(resumed.result.history[2].loss).toBeCloseTo(full.result.history[2].loss, 5);
  });
});
