// SPDX-License-Identifier: MIT
// The runs service on a real SQLite file and a real (hand-weighted) TF.js model: the wizard's
// saved place, rename, delete with files, the validation confidences, one-photo classification and
// the threshold travelling to meta.json, classify jobs and exports.
import { existsSync, mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brightnessConfidence, greyPng, writeBrightnessModel } from '../../test/fixtures/brightness-model';
import { rejection } from '../../test/fixtures/rejection';
import { initBackend } from '../engine/backend/backend';
import { dispatch } from '../shared/ipc/dispatch';
import type { Input, Method, Output } from '../shared/ipc/contract';
import { openDatabase, type Db } from '../store/db';
import { createProject } from '../store/repos/projects';
import { createRun, getRun, updateRun } from '../store/repos/runs';
import { createEngineApi } from './api';
import { prepareClassifyJob } from './classify-jobs';
import { writeJob, type RunJob } from '../engine/train/plan';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-runs-svc-'));
const savedHome = process.env.TRANSFER_STUDIO_HOME;
let db: Db;
let call: <M extends Method>(m: M, i: Input<M>) => Promise<Output<M>>;
const data = path.join(home, 'photos');
/** Validation images: [class index, brightness]; the 0.3 'cat' is predicted 'dog'. */
const VALIDATION: [number, number][] = [[0, 0.9], [0, 0.6], [0, 0.3], [1, 0.1], [1, 0.45]];

async function trainedRun(): Promise<number> {
  const run = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: {} });
  const dir = path.join(home, 'runs', String(run.id));
  await writeBrightnessModel(path.join(dir, 'model'), run.id);
  const validation = VALIDATION.map(([label], i) => ({ path: `${label ? 'dog' : 'cat'}/v${i}.png`, label }));
  await writeJob(dir, { version: 1, request: {}, config: {}, data: { root: data, classes: ['cat', 'dog'], train: [], validation, test: [], imageSize: 8, batch: 4, seed: 1 }, backend: 'cpu', notes: [] } as unknown as RunJob);
  updateRun(db, run.id, { dir, status: 'completed' });
  return run.id;
}

beforeAll(async () => {
  process.env.TRANSFER_STUDIO_HOME = home;
  await initBackend('auto');
  for (const [i, [label, s]] of VALIDATION.entries()) await greyPng(path.join(data, label ? 'dog' : 'cat', `v${i}.png`), s);
  db = openDatabase(path.join(home, 'db.sqlite'));
  const api = createEngineApi({ db, mode: 'cli' });
  call = (m, i) => dispatch(api, m, i) as never;
});
afterAll(async () => {
  db.close();
  process.env.TRANSFER_STUDIO_HOME = savedHome;
  await fs.rm(home, { recursive: true, force: true });
});

describe('wizard.get / wizard.save', () => {
  it('resumes the last project at its step with its choices, as a new window would', async () => {
    const p = createProject(db, 'Birds');
    expect(await call('wizard.get', {})).toEqual({ lastProjectId: null, projectId: null, step: null, choices: {} });
    await call('wizard.save', { projectId: p.id, step: 'train', choices: { backbone: 'resnet50', datasetId: 4 } });
    // A second engine on the same file: what another `serve` port or a restarted app sees.
    const other = createEngineApi({ db: openDatabase(path.join(home, 'db.sqlite')), mode: 'browser' });
    expect(await dispatch(other, 'wizard.get', {})).toEqual({ lastProjectId: p.id, projectId: p.id, step: 'train', choices: { backbone: 'resnet50', datasetId: 4 } });
    await call('wizard.save', { projectId: null });
    expect((await call('wizard.get', {})).lastProjectId).toBeNull();
    expect((await call('wizard.get', { projectId: p.id })).step).toBe('train');
    expect((await rejection(call('wizard.save', { projectId: 9999, step: 'train' }))).code).toBe('NOT_FOUND');
    expect((await rejection(call('wizard.save', { projectId: null, step: 'train' }))).message).toMatch(/step and choices need a projectId/);
  });
});

describe('runs history', () => {
  it('lists runs made anywhere, renames them and deletes one with its folder', async () => {
    const a = await trainedRun();
    const b = await trainedRun();
    expect((await call('runs.rename', { id: a, name: '  first try ' })).name).toBe('first try');
    expect((await call('runs.list', {})).find((r) => r.id === a)?.name).toBe('first try');
    expect((await call('runs.rename', { id: a, name: '' })).name).toBeNull();
    const dirB = getRun(db, b)!.dir!;
    expect(existsSync(path.join(dirB, 'model', 'model.json'))).toBe(true);
    expect(await call('runs.delete', { id: b })).toEqual({ deleted: true, removedDir: dirB });
    expect(existsSync(dirB)).toBe(false);
    expect(getRun(db, b)).toBeUndefined();
    expect((await rejection(call('runs.delete', { id: b }))).code).toBe('NOT_FOUND');
  });

  it('never removes a folder outside the app runs folder, even when a run points there', async () => {
    const outside = path.join(home, 'precious');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'keep.txt'), 'x');
    const r = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: {}, dir: outside });
    expect(await call('runs.delete', { id: r.id })).toEqual({ deleted: true, removedDir: null });
    expect(readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('x');
  });

  it('refuses to delete a running run', async () => {
    const r = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: { pid: process.pid } });
    updateRun(db, r.id, { status: 'running' });
    expect((await rejection(call('runs.delete', { id: r.id }))).code).toBe('CONFLICT');
  });
});

describe('thresholds and one-photo tests', () => {
  it('gives the validation confidences, ascending, with which were right', async () => {
    const id = await trainedRun();
    const c = await call('runs.confidences', { id });
    expect(c.split).toBe('validation');
    const expected = VALIDATION.map(([label, s]) => ({ c: brightnessConfidence(Math.round(s * 255) / 255), ok: (s >= 0.5 ? 0 : 1) === label })).sort((x, y) => x.c - y.c);
    expect(c.confidence.length).toBe(5);
    c.confidence.forEach((v, i) => expect(v).toBeCloseTo(expected[i].c, 4));
    expect(c.correct).toEqual(expected.map((e) => e.ok));
    expect(c.correct.filter((x) => !x)).toHaveLength(1);
  });

  it('classifies one photo from a path or from bytes, and a chosen threshold makes it unsure everywhere', async () => {
    const id = await trainedRun();
    const photo = path.join(home, 'one.png');
    await greyPng(photo, 0.8, 40);
    const byPath = await call('classify.photo', { runId: id, path: photo });
    expect(byPath.top.map((t) => t.label)).toEqual(['cat', 'dog']);
    expect(byPath.confidence).toBeCloseTo(brightnessConfidence(204 / 255), 4);
    expect(byPath).toMatchObject({ label: 'cat', unsure: false, threshold: 0.5, width: 40, height: 40 });
    const dataUrl = `data:image/png;base64,${readFileSync(photo).toString('base64')}`;
    expect((await call('classify.photo', { runId: id, image: dataUrl })).confidence).toBeCloseTo(byPath.confidence, 6);

    // 0.8 brightness gives p ≈ 0.992; a threshold above it makes the photo unsure.
    const summary = await call('runs.setThreshold', { id, threshold: 0.995 });
    expect(summary.threshold).toBe(0.995);
    const meta = JSON.parse(readFileSync(path.join(getRun(db, id)!.dir!, 'model', 'meta.json'), 'utf8')) as { unsureThreshold?: number };
    expect(meta.unsureThreshold).toBe(0.995);
    expect(await call('classify.photo', { runId: id, path: photo })).toMatchObject({ label: null, unsure: true, threshold: 0.995 });
    // A classify job of the run takes the run's threshold unless told otherwise.
    const job = await prepareClassifyJob(db, { model: String(id), dir: data });
    expect(job.params.threshold).toBe(0.995);
    // The export carries it: preprocessing.json and the model card.
    const out = path.join(home, `export-${id}`);
    await call('export.run', { runId: id, format: 'tfjs', out });
    expect(JSON.parse(readFileSync(path.join(out, 'preprocessing.json'), 'utf8'))).toMatchObject({ unsureThreshold: 0.995 });
    expect(readFileSync(path.join(out, 'model-card.md'), 'utf8')).toContain('Unsure below: 0.995');
    await call('runs.setThreshold', { id, threshold: null });
    expect(JSON.parse(readFileSync(path.join(getRun(db, id)!.dir!, 'model', 'meta.json'), 'utf8'))).not.toHaveProperty('unsureThreshold');
  });

  it('names the problem with a photo that is not an image', async () => {
    const id = await trainedRun();
    const bad = path.join(home, 'notes.png');
    await fs.writeFile(bad, 'not an image at all');
    const err = await rejection(call('classify.photo', { runId: id, path: bad }));
    expect(err.message).toMatch(/notes\.png/);
    expect((await rejection(call('classify.photo', { runId: id, image: 'data:image/png;base64,@@@@@@@@' }))).code).toBe('INVALID_INPUT');
  });
});
