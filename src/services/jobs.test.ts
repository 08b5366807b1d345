// SPDX-License-Identifier: MIT
// Every long job kind stops on jobs.cancel: the call fails with CANCELLED and leaves nothing behind.
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedRun, type TrainedRun } from '../../test/fixtures/trained-run';
import { writeFashionMnistFolder } from '../../test/fixtures/fashion-mnist';
import type { EventName, EventPayload, Input, Method, Output } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/dispatch';
import type { JobKind } from '../shared/ipc/methods/jobs';
import { openDatabase, type Db } from '../store/db';
import { createEngineApi } from './api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-jobs-'));
const saved = { home: process.env.TRANSFER_STUDIO_HOME };
process.env.TRANSFER_STUDIO_HOME = tmp;
let db: Db;
type Listener = (event: EventName, payload: unknown) => void;
const listeners = new Set<Listener>();
let call: <M extends Method>(m: M, input: Input<M>) => Promise<Output<M>>;
let run: TrainedRun;

/** Resolves on the first event of `kind` for `jobId` (progress, or the job's running status). */
function firstEvent(kind: JobKind, jobId: string | ((id: string) => boolean)): Promise<void> {
  const match = typeof jobId === 'string' ? (id: string) => id === jobId : jobId;
  return new Promise((resolve) => {
    const l: Listener = (event, payload) => {
      const p = payload as EventPayload<'job.progress'>;
      if ((event === 'job.progress' || event === 'job.status') && p.kind === kind && match(p.jobId)) {
        listeners.delete(l);
        resolve();
      }
    };
    listeners.add(l);
  });
}

beforeAll(async () => {
  db = openDatabase(path.join(tmp, 'transfer-studio.db'));
  const api = createEngineApi({ db, mode: 'cli', emit: (event, payload) => listeners.forEach((l) => l(event, payload)) });
  call = (m, input) => dispatch(api, m, input) as never;
  run = await trainedRun(call, tmp);
}, 240_000);

afterAll(async () => {
  db.close();
  process.env.TRANSFER_STUDIO_HOME = saved.home;
  await rm(tmp, { recursive: true, force: true });
});

describe('jobs.cancel stops every kind of long job', () => {
  it('datasets.import: no dataset is saved', async () => {
    const root = path.join(tmp, 'big');
    await writeFashionMnistFolder(root, { perClass: 30, splits: ['train'] });
    const before = (await call('datasets.list', {})).length;
    const started = firstEvent('datasets.import', 'imp-1');
    const p = call('datasets.import', { root, jobId: 'imp-1' });
    await started;
    expect(await call('jobs.cancel', { kind: 'datasets.import', jobId: 'imp-1' })).toEqual({ cancelled: true });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await call('datasets.list', {})).length).toBe(before);
    expect(await call('jobs.cancel', { kind: 'datasets.import', jobId: 'imp-1' })).toEqual({ cancelled: false });
  });

  it('eval.run: the run keeps its stored evaluation', async () => {
    const before = (await call('runs.get', { id: run.runId })).evaluation;
    const started = firstEvent('eval', 'ev-1');
    const p = call('eval.run', { runId: run.runId, jobId: 'ev-1' });
    await started;
    await call('jobs.cancel', { kind: 'eval', jobId: 'ev-1' });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await call('runs.get', { id: run.runId })).evaluation).toEqual(before);
  });

  it('export.run: no file is written and nothing is recorded', async () => {
    const out = path.join(tmp, 'export-cancelled');
    const started = firstEvent('export', 'ex-1');
    const p = call('export.run', { runId: run.runId, format: 'onnx', out, jobId: 'ex-1' });
    await started;
    await call('jobs.cancel', { kind: 'export', jobId: 'ex-1' });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(out)).toBe(false);
    expect(await call('export.list', { runId: run.runId })).toEqual([]);
  });

  it('classify: the job ends cancelled before the last photo', async () => {
    const { jobId } = await call('classify.start', { model: String(run.runId), dir: path.join(tmp, 'big'), recursive: true });
    await firstEvent('classify', String(jobId));
    expect(await call('jobs.cancel', { kind: 'classify', jobId: String(jobId) })).toEqual({ cancelled: true });
    let job = await call('classify.status', { jobId });
    for (let i = 0; i < 200 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await call('classify.status', { jobId });
    }
    expect(job.status).toBe('cancelled');
    expect(job.counts.classified).toBeLessThan(300);
  });

  it('train: the run ends cancelled', async () => {
    const { runId } = await call('train.start', { datasetId: run.datasetId, backbone: 'mobilenetv2', weights: 'nsfwjs', epochs: 20, fineTuneEpochs: 0, imageSize: 64, batch: 4, augment: false });
    expect(await call('jobs.cancel', { kind: 'train', jobId: String(runId) })).toEqual({ cancelled: true });
    let status = (await call('runs.get', { id: runId })).status;
    for (let i = 0; i < 600 && (status === 'running' || status === 'queued'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await call('runs.get', { id: runId })).status;
    }
    expect(status).toBe('cancelled');
  }, 90_000);

  it('weights.download: the download stops and no weights file appears', async () => {
    // A loopback server that sends the headers and a first chunk, then holds the rest back.
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(10_000_000) });
      res.write(Buffer.alloc(64 * 1024));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const env = { ...process.env };
    Object.assign(process.env, { TRANSFER_STUDIO_TEST_ALLOW_HTTP: '1', TRANSFER_STUDIO_TEST_WEIGHTS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, KERAS_HOME: path.join(tmp, 'keras') });
    try {
      const started = firstEvent('weights.download', (id) => id.startsWith('weights:'));
      const p = call('weights.download', { model: 'resnet50', variant: 'notop' });
      p.catch(() => undefined);
      await started;
      expect(await call('jobs.cancel', { kind: 'weights.download', jobId: 'weights:ResNet50:notop' })).toEqual({ cancelled: true });
      const err = await p.then(() => null, (e: { code: string }) => e);
      expect(['DOWNLOAD_CANCELLED', 'CANCELLED']).toContain(err?.code);
      const listed = await call('weights.list', { model: 'resnet50' });
      expect(JSON.stringify(listed)).not.toMatch(/"cached":true/);
    } finally {
      process.env = env;
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses a second job under a running id, and unknown ids cancel nothing', async () => {
    expect(await call('jobs.cancel', { kind: 'weights.download', jobId: 'weights:ResNet50:notop' })).toEqual({ cancelled: false });
    expect(await call('jobs.cancel', { kind: 'train', jobId: 'not-a-number' })).toEqual({ cancelled: false });
    await expect(call('jobs.cancel', { kind: 'bogus' as JobKind, jobId: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
