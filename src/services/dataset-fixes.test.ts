// SPDX-License-Identifier: MIT
// Fixing what evaluation finds, on a real run (Fashion-MNIST, MobileNetV2 trained one epoch), a
// real SQLite file and real files: every confusion cell pages through its images by confidence;
// relabel moves the file, exclude leaves it out, trash moves it to the project trash; each undoes;
// a retrain with the same settings trains on the moved file under its new class.
import { existsSync, mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../test/fixtures/rejection';
import { trainedRun, type TrainedRun } from '../../test/fixtures/trained-run';
import { dispatch } from '../shared/ipc/dispatch';
import type { Input, Method, Output } from '../shared/ipc/contract';
import { openDatabase, type Db } from '../store/db';
import { listImages } from '../store/repos/datasets';
import { createEngineApi } from './api';
import { relabelledPath, rescanDataset, trashDir } from './dataset-fixes';
import { requireDataset } from './datasets';
import { readJob } from '../engine/train/plan';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-fixes-'));
const savedHome = process.env.TRANSFER_STUDIO_HOME;
let db: Db;
let call: <M extends Method>(m: M, i: Input<M>) => Promise<Output<M>>;
let run: TrainedRun;
let ev: NonNullable<Output<'runs.get'>['evaluation']>;

beforeAll(async () => {
  process.env.TRANSFER_STUDIO_HOME = path.join(home, 'studio');
  db = openDatabase(path.join(home, 'db.sqlite'));
  const api = createEngineApi({ db, mode: 'cli' });
  call = (m, i) => dispatch(api, m, i) as never;
  run = await trainedRun(call, home, { perClass: 4 });
  ev = (await call('runs.get', { id: run.runId })).evaluation!;
}, 300_000);
afterAll(async () => {
  db.close();
  process.env.TRANSFER_STUDIO_HOME = savedHome;
  await fs.rm(home, { recursive: true, force: true });
});

async function waitDone(runId: number): Promise<void> {
  for (;;) {
    const r = await call('runs.get', { id: runId });
    if (r.status === 'completed') return;
    if (r.status !== 'running' && r.status !== 'queued') throw new Error(`run ${runId} ended ${r.status}: ${r.error ?? ''}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('eval.cell', () => {
  it('lists every image of every cell, the diagonal included, paged and most confident first', async () => {
    const k = ev.numClasses;
    let seen = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const page = await call('eval.cell', { runId: run.runId, label: i, predicted: j, limit: 200 });
        expect(page.total, `cell ${i},${j}`).toBe(ev.confusion[i][j]);
        expect(page.items).toHaveLength(ev.confusion[i][j]);
        for (const it of page.items) expect([it.label, it.predicted, it.path.split('/')[1]]).toEqual([i, j, ev.classNames[i]]);
        const conf = page.items.map((it) => it.confidence);
        expect(conf).toEqual([...conf].sort((a, b) => b - a));
        seen += page.total;
      }
    }
    expect(seen).toBe(ev.n);
    expect(ev.n).toBe(40);
    // Pages of 3 put together are the whole cell; ascending order is the same list reversed (ties by path).
    const big = ev.confusion.flatMap((row, i) => row.map((n, j) => ({ i, j, n }))).sort((a, b) => b.n - a.n)[0];
    const all = await call('eval.cell', { runId: run.runId, label: big.i, predicted: big.j, limit: 200 });
    const paged = [];
    for (let off = 0; off < all.total; off += 3) paged.push(...(await call('eval.cell', { runId: run.runId, label: big.i, predicted: big.j, offset: off, limit: 3 })).items);
    expect(paged.map((p) => p.path)).toEqual(all.items.map((p) => p.path));
    const asc = await call('eval.cell', { runId: run.runId, label: big.i, predicted: big.j, order: 'asc', limit: 200 });
    expect(asc.items.map((p) => p.confidence)).toEqual(all.items.map((p) => p.confidence).reverse());
    expect(all.root).toBe(run.root);
    expect((await rejection(call('eval.cell', { runId: run.runId, label: 10, predicted: 0 }))).message).toMatch(/label 10 is not a class of run \d+ \(it has 10/);
  });
});

describe('fixes', () => {
  it('relabels by moving the file to the other class folder, and undoes it', async () => {
    const from = 'test/Bag/' + path.basename(listImages(db, run.datasetId).find((im) => im.path.startsWith('test/Bag/'))!.path);
    const bytes = readFileSync(path.join(run.root, from));
    const fix = await call('fixes.apply', { action: 'relabel', datasetId: run.datasetId, path: from, toClass: 'Sneaker' });
    const to = relabelledPath(from, 'splits', 'Sneaker');
    expect(fix).toMatchObject({ action: 'relabel', path: from, toPath: to, fromClass: 'Bag', toClass: 'Sneaker', undoneAt: null });
    expect(existsSync(path.join(run.root, from))).toBe(false);
    expect(readFileSync(path.join(run.root, to)).equals(bytes)).toBe(true);
    expect(listImages(db, run.datasetId).find((im) => im.path === to)?.className).toBe('Sneaker');
    const cell = ev.classNames.indexOf('Bag');
    const pred = (await call('eval.cell', { runId: run.runId, label: cell, predicted: 0, limit: 200 })).items.concat(
      ...(await Promise.all(ev.classNames.map((_, j) => call('eval.cell', { runId: run.runId, label: cell, predicted: j, limit: 200 })))).map((p) => p.items),
    );
    expect(pred.find((p) => p.path === from)?.fix?.id).toBe(fix.id);

    const undone = await call('fixes.undo', { id: fix.id });
    expect(undone.undoneAt).not.toBeNull();
    expect(readFileSync(path.join(run.root, from)).equals(bytes)).toBe(true);
    expect(existsSync(path.join(run.root, to))).toBe(false);
    expect(listImages(db, run.datasetId).find((im) => im.path === from)?.className).toBe('Bag');
    expect((await rejection(call('fixes.undo', { id: fix.id }))).code).toBe('CONFLICT');
    // Class folders often reuse names (0.png, 1.png…): a taken name gets a suffix, never an overwrite.
    const taken = listImages(db, run.datasetId).find((im) => im.path.startsWith('test/Sneaker/'))!.path;
    const same = `test/Bag/${path.basename(taken)}`;
    await fs.copyFile(path.join(run.root, taken), path.join(run.root, same));
    await rescanDataset(db, requireDataset(db, run.datasetId));
    const clash = await call('fixes.apply', { action: 'relabel', datasetId: run.datasetId, path: same, toClass: 'Sneaker' });
    expect(clash.toPath).toBe(taken.replace(/\.png$/, '-2.png'));
    await call('fixes.undo', { id: clash.id });
    await fs.rm(path.join(run.root, same));
    await rescanDataset(db, requireDataset(db, run.datasetId));
    expect((await rejection(call('fixes.apply', { action: 'relabel', datasetId: run.datasetId, path: from, toClass: 'Hat' }))).message).toMatch(/has no class "Hat". Its classes: Ankle_boot, Bag,/);
    expect((await rejection(call('fixes.apply', { action: 'exclude', datasetId: run.datasetId, path: 'test/Bag/nope.png' }))).message).toMatch(/no image "test\/Bag\/nope.png"/);
  });

  it('excludes an image from training and the split, and includes it again on undo', async () => {
    const p = listImages(db, run.datasetId).find((im) => im.path.startsWith('train/Coat/'))!.path;
    const fix = await call('fixes.apply', { action: 'exclude', datasetId: run.datasetId, path: p });
    expect(listImages(db, run.datasetId).map((im) => im.path)).not.toContain(p);
    const d = await call('datasets.get', { id: run.datasetId });
    expect(d.excluded).toEqual([p]);
    expect(existsSync(path.join(run.root, p))).toBe(true);
    await call('fixes.undo', { id: fix.id });
    expect(listImages(db, run.datasetId).map((im) => im.path)).toContain(p);
  });

  it('moves a trashed file into the project trash folder and restores it, even after a rescan', async () => {
    const p = listImages(db, run.datasetId).find((im) => im.path.startsWith('train/Dress/'))!.path;
    const bytes = readFileSync(path.join(run.root, p));
    const fix = await call('fixes.apply', { action: 'trash', datasetId: run.datasetId, path: p });
    expect(fix.toPath!.startsWith(trashDir(null))).toBe(true);
    expect(fix.toPath!.startsWith(path.join(home, 'studio', 'trash'))).toBe(true);
    expect(readFileSync(fix.toPath!).equals(bytes)).toBe(true);
    expect(existsSync(path.join(run.root, p))).toBe(false);
    expect(listImages(db, run.datasetId).map((im) => im.path)).not.toContain(p);
    await rescanDataset(db, requireDataset(db, run.datasetId));
    await call('fixes.undo', { id: fix.id });
    expect(readFileSync(path.join(run.root, p)).equals(bytes)).toBe(true);
    expect(existsSync(fix.toPath!)).toBe(false);
    expect(listImages(db, run.datasetId).map((im) => im.path)).toContain(p);
    expect((await call('fixes.list', { datasetId: run.datasetId })).map((f) => [f.action, f.undoneAt !== null])).toEqual([
      ['trash', true],
      ['exclude', true],
      ['relabel', true],
      ['relabel', true],
    ]);
  });

  it('retrains with the same settings, and the new run trains on the relabelled file under its new class', async () => {
    const from = listImages(db, run.datasetId).find((im) => im.path.startsWith('train/Shirt/'))!.path;
    const fix = await call('fixes.apply', { action: 'relabel', datasetId: run.datasetId, path: from, toClass: 'T-shirt_top' });
    const { runId, sourceRunId } = await call('train.retrain', { runId: run.runId });
    expect(sourceRunId).toBe(run.runId);
    await waitDone(runId);
    const [a, b] = await Promise.all([call('runs.get', { id: run.runId }), call('runs.get', { id: runId })]);
    const { resolved: ra, pid: _pa, ...reqA } = a.config;
    const { resolved: rb, pid: _pb, retrainOf, ...reqB } = b.config;
    expect(retrainOf).toBe(run.runId);
    expect(reqB).toEqual(reqA);
    expect(rb).toEqual(ra);
    const job = await readJob(b.dir!);
    const all = [...job.data.train, ...job.data.validation, ...job.data.test];
    expect(all.find((i) => i.path === fix.toPath)?.label).toBe(job.data.classes.indexOf('T-shirt_top'));
    expect(all.some((i) => i.path === from)).toBe(false);
    expect(all).toHaveLength(80);
  }, 300_000);
});
