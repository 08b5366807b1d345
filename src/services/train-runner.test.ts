// SPDX-License-Identifier: MIT
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../engine/train/checkpoint';
import type { EpochRecord, Phase } from '../engine/train/types';
import { openDatabase } from '../store/db';
import { createRun, listEpochs, recordEpoch } from '../store/repos/runs';
import { recordCheckpointedEpochs } from './train-runner';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-runner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const epoch = (phase: Phase, n: number): EpochRecord => ({ phase, epoch: n, loss: 1 / (phase * 10 + n), acc: 0.1 * n, valLoss: 2 / n, valAcc: 0.05 * n, lr: 0.001, seconds: n, imagesPerSec: 100 + n, best: false });

async function checkpoint(dir: string, phase: Phase, history: EpochRecord[]): Promise<void> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  try {
    await saveCheckpoint(dir, model, [], { phase, epochsDone: history.filter((e) => e.phase === phase).length, step: 0, wait: 0, phaseFinished: false, best: null, history, rngState: 1, fingerprint: 'f', optimizerName: 'adam' });
  } finally {
    model.dispose();
  }
}

describe('recordCheckpointedEpochs (resume after a kill between checkpoint and epoch row)', () => {
  it('stores the epochs the checkpoints completed that the database lacks, phase 2 included, without duplicates', async () => {
    const db = openDatabase(path.join(tmp, 'db.sqlite'));
    try {
      const run = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: {} });
      const dir = path.join(tmp, 'checkpoints');
      // Phase 1 finished 3 epochs; phase 2 (its own folder) finished 1; the process died before rows 1:3 and 2:1.
      await checkpoint(dir, 1, [epoch(1, 1), epoch(1, 2), epoch(1, 3)]);
      await checkpoint(path.join(dir, 'phase2'), 2, [epoch(1, 1), epoch(1, 2), epoch(1, 3), epoch(2, 1)]);
      for (const e of [epoch(1, 1), epoch(1, 2)]) recordEpoch(db, run.id, { ...e, valLoss: e.valLoss!, valAcc: e.valAcc! });

      expect(await recordCheckpointedEpochs(db, run.id, dir)).toBe(4);
      const rows = listEpochs(db, run.id);
      expect(rows.map((r) => [r.phase, r.epoch])).toEqual([[1, 1], [1, 2], [1, 3], [2, 1]]);
      expect(rows[2]).toMatchObject({ loss: 1 / 13, valLoss: 2 / 3, seconds: 3, imagesPerSec: 103 });
      expect(rows[2].acc).toBeCloseTo(0.3, 12);
      // A run without checkpoints records nothing.
      expect(await recordCheckpointedEpochs(db, run.id, path.join(tmp, 'none'))).toBe(0);
    } finally {
      db.close();
    }
  });
});
