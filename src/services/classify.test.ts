// SPDX-License-Identifier: MIT
// The classify service as the app calls it (browser mode, through the zod-checked contract) on a
// real SQLite file and a real hand-weighted TF.js model: a recursive walk finds nested photos, a
// correction and its undo change what the CSV and JSON exports say, a label the model does not
// know is refused, and browser mode writes an export only inside the folders it may reach.
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greyPng, writeBrightnessModel } from '../../test/fixtures/brightness-model';
import { rejection } from '../../test/fixtures/rejection';
import { initBackend } from '../engine/backend/backend';
import { parseCsvLine } from '../engine/classify/export';
import { dispatch } from '../shared/ipc/dispatch';
import type { Input, Method, Output } from '../shared/ipc/contract';
import { openDatabase, type Db } from '../store/db';
import { createRun, updateRun } from '../store/repos/runs';
import { createEngineApi } from './api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-classify-svc-'));
// Browser mode may reach the home folder: a fresh one, so the rest of tmp is outside it.
const home = path.join(tmp, 'home');
const photos = path.join(home, 'photos');
const saved = { home: process.env.HOME, studio: process.env.TRANSFER_STUDIO_HOME };
let db: Db;
let call: <M extends Method>(m: M, i: Input<M>) => Promise<Output<M>>;
let runId = 0;

async function finished(jobId: number): Promise<Output<'classify.status'>> {
  for (let i = 0; i < 600; i++) {
    const s = await call('classify.status', { jobId });
    if (s.status !== 'queued' && s.status !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

beforeAll(async () => {
  process.env.HOME = home;
  process.env.TRANSFER_STUDIO_HOME = path.join(home, '.studio');
  await initBackend('auto');
  // Bright is 'cat', dark is 'dog'; two of the three photos sit in sub-folders.
  await greyPng(path.join(photos, 'top.png'), 0.9);
  await greyPng(path.join(photos, 'a', 'dark.png'), 0.1);
  await greyPng(path.join(photos, 'a', 'b', 'bright.png'), 0.8);
  db = openDatabase(path.join(home, '.studio', 'db.sqlite'));
  const run = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: {} });
  const dir = path.join(home, '.studio', 'runs', String(run.id));
  await writeBrightnessModel(path.join(dir, 'model'), run.id);
  updateRun(db, run.id, { dir, status: 'completed' });
  runId = run.id;
  const api = createEngineApi({ db, mode: 'browser' });
  call = (m, i) => dispatch(api, m, i) as never;
});
afterAll(async () => {
  db.close();
  process.env.HOME = saved.home;
  process.env.TRANSFER_STUDIO_HOME = saved.studio;
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('classify service', () => {
  it('walks sub-folders only when asked', async () => {
    const flat = await finished((await call('classify.start', { model: String(runId), dir: photos })).jobId);
    expect(flat).toMatchObject({ status: 'completed', recursive: false, counts: { classified: 1, byLabel: { cat: 1 } } });
    const deep = await finished((await call('classify.start', { model: String(runId), dir: photos, recursive: true })).jobId);
    expect(deep).toMatchObject({ status: 'completed', recursive: true, counts: { classified: 3, byLabel: { cat: 2, dog: 1 } } });
    const { items } = await call('classify.results', { jobId: deep.id });
    expect(items.map((r) => [r.path, r.label]).sort()).toEqual([['a/b/bright.png', 'cat'], ['a/dark.png', 'dog'], ['top.png', 'cat']]);
  });

  it('a correction and its undo show in the results and in the CSV and JSON exports', async () => {
    const job = (await call('classify.jobs', {})).find((j) => j.recursive)!;
    const fixed = await call('classify.correct', { jobId: job.id, path: 'a/dark.png', label: 'cat' });
    expect(fixed).toMatchObject({ path: 'a/dark.png', label: 'cat', modelLabel: 'dog', corrected: true });
    expect((await call('classify.status', { jobId: job.id })).counts.corrected).toBe(1);

    const csv = await call('classify.export', { jobId: job.id, out: path.join(home, 'out', 'results.csv') });
    expect(csv).toMatchObject({ rows: 3, format: 'csv' });
    const [header, ...lines] = readFileSync(csv.path, 'utf8').trim().split('\n').map(parseCsvLine);
    const rows = Object.fromEntries(lines.map((l) => [l[0], Object.fromEntries(header.map((h, i) => [h, l[i]]))]));
    expect(rows['a/dark.png']).toMatchObject({ label: 'cat', model_label: 'dog' });
    expect(rows['top.png']).toMatchObject({ label: 'cat', model_label: 'cat' });

    const json = await call('classify.export', { jobId: job.id, out: path.join(home, 'out', 'results.json') });
    const doc = JSON.parse(readFileSync(json.path, 'utf8')) as { results: { path: string; label: string; corrected: boolean }[] };
    expect(doc.results.find((r) => r.path === 'a/dark.png')).toMatchObject({ label: 'cat', corrected: true });

    // Undo: the correction dropped, the model's label is back everywhere.
    expect(await call('classify.correct', { jobId: job.id, path: 'a/dark.png', label: null })).toMatchObject({ label: 'dog', corrected: false });
    await call('classify.export', { jobId: job.id, out: json.path });
    const again = JSON.parse(readFileSync(json.path, 'utf8')) as { results: { path: string; label: string; corrected: boolean }[] };
    expect(again.results.find((r) => r.path === 'a/dark.png')).toMatchObject({ label: 'dog', corrected: false });
  });

  it('refuses a label the model does not know, a path it did not classify, and an export outside reachable folders', async () => {
    const job = (await call('classify.jobs', {})).find((j) => j.recursive)!;
    const bad = await rejection(call('classify.correct', { jobId: job.id, path: 'top.png', label: 'horse' }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.message).toMatch(/one of job \d+'s classes \(cat, dog\).*Received: "horse"/);
    expect((await rejection(call('classify.correct', { jobId: job.id, path: 'nope.png', label: 'cat' }))).code).toBe('NOT_FOUND');
    const outside = path.join(tmp, 'elsewhere', 'results.csv');
    const err = await rejection(call('classify.export', { jobId: job.id, out: outside }));
    expect(err.code).toBe('FORBIDDEN_PATH');
    expect(err.message).toContain(outside);
    expect((await rejection(call('classify.export', { jobId: job.id, out: path.join(home, 'results.txt') }))).message).toMatch(/\.csv or \.json/);
  });
});
