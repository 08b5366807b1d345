// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { TrainingState } from './training.svelte';

const batch = (runId: number, batch: number, loss: number) => ({ runId, phase: 1, epoch: 1, batch, batches: 3, loss, acc: 0.5, lr: 1e-3, imagesPerSec: 12.5, etaSeconds: 30 - batch });

describe('TrainingState', () => {
  it('follows one run: batches feed the per-step curves, epochs the per-epoch ones and the log', () => {
    const t = new TrainingState();
    t.follow(7);
    expect(t.active).toBe(true);
    t.onBatch(batch(7, 1, 1.2));
    t.onBatch(batch(8, 1, 9.9)); // another run's event is ignored
    t.onBatch(batch(7, 2, 1.0));
    expect(t.steps).toEqual({ x: [1, 2], loss: [1.2, 1.0], acc: [0.5, 0.5] });
    expect([t.batch, t.batches, t.imagesPerSec, t.etaSeconds]).toEqual([2, 3, 12.5, 28]);

    t.onEpoch({ runId: 7, phase: 1, epoch: 1, loss: 0.9, acc: 0.6, valLoss: 0.8, valAcc: 0.75, lr: 1e-3, seconds: 4.25, imagesPerSec: 11 });
    t.onEpoch({ runId: 7, phase: 2, epoch: 1, loss: 0.7, acc: 0.7, lr: 1e-4, seconds: 3 });
    expect(t.epochs.map((e) => [e.x, e.phase, e.valAcc])).toEqual([[1, 1, 0.75], [2, 2, null]]);
    expect(t.imagesPerSec).toBe(11);
    expect(t.log[0]).toBe('phase 1 epoch 1: loss 0.9000 accuracy 60.0%, validation loss 0.8000 accuracy 75.0% (4.3 s)');

    t.onStatus({ runId: 7, status: 'failed', error: 'out of memory' });
    expect(t.active).toBe(false);
    expect(t.error).toBe('out of memory');
    expect(t.log.at(-1)).toBe('run 7 failed: out of memory');

    t.follow(9);
    expect([t.steps.x.length, t.epochs.length, t.log.length, t.error]).toEqual([0, 0, 0, undefined]);
  });

  it('loads a finished run from the database', () => {
    const t = new TrainingState();
    t.load({
      id: 3, projectId: 1, datasetId: 1, backbone: 'mobilenetv2', weights: 'nsfwjs', status: 'completed', backend: 'wasm', startedAt: '', finishedAt: '', accuracy: 0.9, error: null,
      config: {}, evaluation: null, engineNotes: ['split: 15 train'], dir: null, modelDir: null,
      epochs: [{ phase: 1, epoch: 1, loss: 1, acc: 0.4, valLoss: 0.9, valAcc: 0.5, lr: 1e-3, seconds: 2, imagesPerSec: 8 }],
    });
    expect([t.runId, t.status, t.backend, t.imagesPerSec, t.active]).toEqual([3, 'completed', 'wasm', 8, false]);
    expect(t.epochs).toEqual([{ x: 1, phase: 1, epoch: 1, loss: 1, acc: 0.4, valLoss: 0.9, valAcc: 0.5 }]);
    expect(t.log).toEqual(['split: 15 train']);
  });

  it('keeps the log bounded', () => {
    const t = new TrainingState();
    t.follow(1);
    for (let i = 0; i < 400; i++) t.addLog(`line ${i}`);
    expect(t.log).toHaveLength(300);
    expect(t.log[0]).toBe('line 100');
  });
});
