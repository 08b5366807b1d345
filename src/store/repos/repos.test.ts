// SPDX-License-Identifier: MIT
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult, ScannedImage } from '../../shared/dto/dataset-scan';
import { openDatabase } from '../db';
import { assignSplits, listImages, saveScan } from './datasets';
import { createJob, getJob, markInterruptedJobs } from './jobs';
import { createProject, deleteProject } from './projects';
import { createRun, getRun, listEpochs, recordEpoch, updateRun } from './runs';

const db = () => openDatabase(path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-repos-')), 'db.sqlite'));
const img = (p: string, cls: string, sha: string): ScannedImage => ({ path: p, className: cls, bytes: 10, mtimeMs: 1, sha256: sha, width: 4, height: 4, format: 'png' });
const scan = (images: ScannedImage[]): ScanResult => ({
  root: '/data/birds',
  layout: 'classes',
  images,
  skipped: [{ path: 'robin/broken.jpg', code: 'CORRUPT', reason: 'truncated' }],
  duplicates: [],
  classes: [...new Set(images.map((i) => i.className))].sort(),
  classCounts: {},
});

describe('repositories', () => {
  it('re-import keeps unchanged images and their splits, updates changed ones, drops removed ones', () => {
    const d = db();
    const p = createProject(d, 'Birds');
    const first = saveScan(d, scan([img('robin/a.png', 'robin', 'h1'), img('robin/b.png', 'robin', 'h2'), img('wren/c.png', 'wren', 'h3')]), { projectId: p.id, name: 'birds' });
    assignSplits(d, first.id, { 'robin/a.png': 'train', 'robin/b.png': 'test', 'wren/c.png': 'validation' });
    saveScan(d, scan([img('robin/a.png', 'robin', 'h1'), img('robin/b.png', 'robin', 'h2-changed'), img('wren/d.png', 'wren', 'h4')]), { projectId: p.id, name: 'birds', datasetId: first.id });
    const rows = listImages(d, first.id);
    expect(rows.map((r) => [r.path, r.sha256, r.assignedSplit])).toEqual([
      ['robin/a.png', 'h1', 'train'],
      ['robin/b.png', 'h2-changed', null],
      ['wren/d.png', 'h4', null],
    ]);
    // Deleting the project cascades to its dataset and images.
    deleteProject(d, p.id);
    expect(d.prepare('SELECT count(*) FROM images').pluck().get()).toBe(0);
  });

  it('a resumed run overwrites a repeated epoch instead of duplicating it', () => {
    const d = db();
    const run = createRun(d, { backbone: 'mobilenetv2', weights: 'nsfwjs', config: { epochs: 3 } });
    updateRun(d, run.id, { status: 'running', backend: 'wasm' });
    recordEpoch(d, run.id, { phase: 1, epoch: 1, loss: 1.2, acc: 0.5, valLoss: 1.1, valAcc: 0.55, lr: 1e-3, seconds: 10, imagesPerSec: 100 });
    recordEpoch(d, run.id, { phase: 1, epoch: 2, loss: 0.9, acc: 0.6, valLoss: 1.0, valAcc: 0.6, lr: 1e-3, seconds: 10, imagesPerSec: 100 });
    recordEpoch(d, run.id, { phase: 1, epoch: 2, loss: 0.8, acc: 0.65, valLoss: 0.95, valAcc: 0.62, lr: 1e-3, seconds: 9, imagesPerSec: 110 });
    expect(listEpochs(d, run.id).map((e) => [e.epoch, e.loss])).toEqual([
      [1, 1.2],
      [2, 0.8],
    ]);
    updateRun(d, run.id, { status: 'completed', evaluation: { accuracy: 0.9 } });
    const done = getRun(d, run.id)!;
    expect(done.status).toBe('completed');
    expect(done.finishedAt).not.toBeNull();
    expect(done.evaluation).toEqual({ accuracy: 0.9 });
  });

  it('marks jobs of dead processes interrupted and leaves live ones alone', () => {
    const d = db();
    const job = createJob(d, 'classify', { dir: '/photos' });
    d.prepare('UPDATE jobs SET pid = 999999 WHERE id = ?').run(job.id);
    const live = createJob(d, 'classify', { dir: '/other' });
    d.prepare('UPDATE jobs SET pid = ? WHERE id = ?').run(process.ppid, live.id);
    expect(markInterruptedJobs(d)).toBe(1);
    expect(getJob(d, job.id)!.status).toBe('interrupted');
    expect(getJob(d, live.id)!.status).toBe('running');
  });
});
