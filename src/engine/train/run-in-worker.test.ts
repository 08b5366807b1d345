// SPDX-License-Identifier: MIT
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { createWorker } from '../../platform/worker';
import { loadModelFromDir } from '../artifacts/model-io';
import { runTrainingInWorker, type WorkerJob } from './run-in-worker';
import type { BatchEvent, EpochRecord } from './types';
import type { FromWorker } from './worker-protocol';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function job(syntheticModule: string, outputDir?: string): WorkerJob {
  return {
    config: { backbone: 'tiny', weights: null, epochs: 2, lr: 1e-2, seed: 2, fineTune: { blocks: 1, epochs: 1 } },
    data: { module: syntheticModule, export: 'shapesData', args: { train: 32, val: 16, size: 16, batch: 16 } },
    backbone: { module: syntheticModule, export: 'tinyBackboneLoader', args: { size: 16, filters: [4, 8, 8] } },
    ...(outputDir ? { outputDir } : {}),
  };
}

describe('runTrainingInWorker', () => {
  it('trains from TypeScript sources in a worker thread and streams events', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'ts-worker-model-'));
    dirs.push(out);
    const batches: BatchEvent[] = [];
    const epochs: EpochRecord[] = [];
    const result = await runTrainingInWorker(job(path.join(here, '../../../test/fixtures/synthetic.ts'), out), { onBatch: (e) => batches.push(e), onEpoch: (e) => epochs.push(e) });
    expect(result.backend).toBe('cpu');
    expect(epochs.map((e) => [e.phase, e.epoch])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
    expect(batches).toHaveLength(6);
    expect(result.history).toEqual(epochs);
    expect(result.evaluation?.n).toBe(16);
    const model = await loadModelFromDir(out);
    expect(model.outputs[0].shape).toEqual([null, 3]);
  });

  it('cancels between batches and rejects with CANCELLED', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = runTrainingInWorker(job(path.join(here, '../../../test/fixtures/synthetic.ts')), {
      signal: controller.signal,
      onBatch: () => {
        seen += 1;
        controller.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e: unknown) => AppError.is(e, 'CANCELLED'));
    // The worker may finish the batch in flight when the message arrives, never a whole epoch.
    expect(seen).toBeLessThanOrEqual(2);
  });

  it('runs from an esbuild bundle (plain JavaScript worker entry)', async () => {
    // Inside the repository so the bundle resolves the external packages from node_modules.
    const out = mkdtempSync(path.join(root, '.tmp-train-bundle-'));
    dirs.push(out);
    await build({
      entryPoints: { 'train-worker': path.join(here, 'train-worker.ts'), synthetic: path.join(here, '../../../test/fixtures/synthetic.ts') },
      outdir: out,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
    });
    expect(existsSync(path.join(out, 'train-worker.mjs'))).toBe(true);
    const result = await runTrainingInWorker(job(path.join(out, 'synthetic.mjs')), { workerUrl: pathToFileURL(path.join(out, 'train-worker.mjs')) });
    expect(result.history).toHaveLength(3);
  });

  it('survives a hard kill mid-epoch: resume continues the history from the last checkpoint', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-worker-ckpt-'));
    dirs.push(dir);
    const killed = { ...job(path.join(here, '../../../test/fixtures/synthetic.ts')), checkpointDir: dir };
    // No cancel message: terminate() stops the thread wherever it is, as a crash or kill would.
    const worker = createWorker(new URL('./train-worker.ts', import.meta.url));
    const before: EpochRecord[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'epoch') before.push(m.record);
        if (m.type === 'batch' && m.event.epoch === 2 && m.event.batch === 1) void worker.terminate().then(() => resolve());
        if (m.type === 'done' || m.type === 'error') reject(new Error(`worker finished before the kill: ${JSON.stringify(m)}`));
      });
      worker.on('error', reject);
      worker.postMessage({ type: 'start', job: killed });
    });
    expect(before.map((e) => e.epoch)).toEqual([1]);
    const after: EpochRecord[] = [];
    const result = await runTrainingInWorker({ ...killed, resume: true }, { onEpoch: (e) => after.push(e) });
    expect(result.resumed).toBe(true);
    expect(after.map((e) => [e.phase, e.epoch])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(result.history).toHaveLength(3);
    expect(result.history[0]).toEqual(before[0]);
  });
});
