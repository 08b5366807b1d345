// SPDX-License-Identifier: MIT
// Trains for real through the CLI, in child processes, on Fashion-MNIST images written from
// Debian's dataset-fashion-mnist: accuracy well above chance, the run and epoch rows in SQLite,
// a model artifact on disk; then a SIGKILL after the first checkpoint and `train --resume`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { integrityCheck, openDatabase } from '../../store/db';
import { getRun, listEpochs } from '../../store/repos/runs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'transfer-studio.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-train-cli-'));
const data = path.join(tmp, 'fashion');
const env = (home: string) => ({ ...process.env, TRANSFER_STUDIO_HOME: home });
const lines = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  // 30 training and 10 test images per class; the user's train/test folders are kept.
  await writeFashionMnistFolder(data, { perClass: 30, splits: ['train'] });
  await writeFashionMnistFolder(data, { perClass: 10, splits: ['test'] });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const common = ['--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--image-size', '64', '--batch', '16', '--lr', '0.01', '--no-augment', '--fine-tune-epochs', '0', '--json'];

describe('transfer-studio train (real Fashion-MNIST, frozen nsfwjs MobileNetV2)', () => {
  it('trains well above chance and records the run, its epochs and a model', () => {
    const home = path.join(tmp, 'home-a');
    const r = spawnSync(process.execPath, [bin, 'train', '--data', data, '--epochs', '4', ...common], { env: env(home), encoding: 'utf8', timeout: 150_000 });
    expect(r.status, r.stderr).toBe(0);
    const events = lines(r.stdout);
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(events.some((e) => e.type === 'batch' && e.batches === 15)).toBe(true);
    const result = events.at(-1) as { type: string; runId: number; status: string; backend: string; metrics: { accuracy: number; n: number }; modelDir: string };
    expect(result.type).toBe('result');
    expect(result.status).toBe('completed');
    // The wasm leg (npm run test:wasm) sets TS_BACKEND; the run must then really be on it.
    if (process.env.TS_BACKEND) expect(result.backend).toBe(process.env.TS_BACKEND);
    // 10 classes: chance is 0.1.
    expect(result.metrics.n).toBe(100);
    expect(result.metrics.accuracy).toBeGreaterThan(0.5);
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    try {
      const run = getRun(db, result.runId)!;
      expect(run.status).toBe('completed');
      expect(run.backend).toBe(result.backend);
      expect(run.engineNotes).toMatch(/split: 240 train \/ 60 validation \/ 100 test/);
      // Without augmentation the frozen backbone runs on ONNX Runtime over cached features.
      expect(run.engineNotes).toMatch(/frozen part.*onnxruntime-node/);
      const ev = run.evaluation as { accuracy: number; confusion: number[][]; misclassified: { id?: string }[] };
      expect(ev.accuracy).toBe(result.metrics.accuracy);
      expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(100);
      expect(ev.misclassified.every((m) => m.id?.startsWith('test/'))).toBe(true);
      expect(listEpochs(db, result.runId).map((e) => [e.phase, e.epoch])).toEqual([[1, 1], [1, 2], [1, 3], [1, 4]]);
    } finally {
      db.close();
    }
    const meta = JSON.parse(readFileSync(path.join(result.modelDir, 'meta.json'), 'utf8')) as { labels: string[]; inputSize: number; preprocess: string };
    expect(meta.labels).toHaveLength(10);
    expect([meta.inputSize, meta.preprocess]).toEqual([64, 'unit']);
    expect(existsSync(path.join(result.modelDir, 'weights.bin'))).toBe(true);

    // eval re-scores the saved model on the same test images: the same accuracy.
    const ev = spawnSync(process.execPath, [bin, 'eval', String(result.runId), '--json'], { env: env(home), encoding: 'utf8', timeout: 60_000 });
    expect(ev.status, ev.stderr).toBe(0);
    expect((JSON.parse(ev.stdout) as { accuracy: number }).accuracy).toBeCloseTo(result.metrics.accuracy, 6);
  });

  it('takes the split path on the default recipe (augmentation on, two phases): frozen layers on ONNX Runtime in both phases', () => {
    const home = path.join(tmp, 'home-c');
    const args = ['train', '--data', data, '--epochs', '3', '--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--image-size', '64', '--batch', '16', '--json'];
    const r = spawnSync(process.execPath, [bin, ...args], { env: env(home), encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = lines(r.stdout).at(-1) as { runId: number; status: string };
    expect(result.status).toBe('completed');
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    try {
      const run = getRun(db, result.runId)!;
      expect(run.engineNotes).toMatch(/augmentation: \{"flipHorizontal":true/);
      expect(run.engineNotes).not.toMatch(/whole model: tfjs/);
      expect(run.engineNotes).toMatch(/phase 1: frozen part \(stem…conv_1, up to out_relu \+ avg pooling\): onnxruntime-node .*augmented training batches through it every epoch.*trainable part \(head\)/);
      expect(run.engineNotes).toMatch(/phase 2: frozen part \(stem…block_14, up to block_14_add\): onnxruntime-node .*augmented training batches.*trainable part \(block_15…conv_1 \+ head\)/);
      expect(listEpochs(db, result.runId).map((e) => [e.phase, e.epoch])).toEqual([[1, 1], [1, 2], [2, 1]]);
      // Each photo decoded once (240 train + 60 validation + 100 test): phase 1 decodes train and
      // validation, its second epoch reads train from the decoded-image cache; phase 2 reads train
      // and validation from it and decodes only the test images it is the first to need.
      const [p1, p2] = [...run.engineNotes!.matchAll(/decoded-image cache (\S+): (\d+) hits, (\d+) decodes/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
      expect(p1).toEqual([path.join(home, 'image-cache'), 240, 300]);
      expect(p2).toEqual([path.join(home, 'image-cache'), 300, 100]);
    } finally {
      db.close();
    }
  });

  it('resumes a SIGKILLed run from the next epoch after its last checkpoint', async () => {
    const home = path.join(tmp, 'home-b');
    // Enough epochs that the kill lands mid-run even when the feature fast path makes each epoch quick.
    const epochs = 8;
    const child = spawn(process.execPath, [bin, 'train', '--data', data, '--epochs', String(epochs), ...common], { env: env(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 120_000;
    let latest: string | undefined;
    while (!latest && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const runId = lines(out).find((e) => e.type === 'epoch')?.runId;
      const file = runId ? path.join(home, 'runs', String(runId), 'checkpoints', 'LATEST') : '';
      if (file && existsSync(file)) latest = readFileSync(file, 'utf8').trim();
    }
    child.kill('SIGKILL');
    await exited;
    const done = Number(/^ckpt-p1-e(\d{4})$/.exec(latest ?? '')?.[1]);
    expect(done, `last checkpoint ${latest}`).toBeGreaterThanOrEqual(1);
    expect(done, 'the kill must land before the last epoch').toBeLessThan(epochs);
    const rest = Array.from({ length: epochs - done }, (_, i) => done + 1 + i);
    const runId = lines(out).find((e) => e.type === 'epoch')!.runId as number;

    const r = spawnSync(process.execPath, [bin, 'train', '--resume', String(runId), '--json'], { env: env(home), encoding: 'utf8', timeout: 150_000 });
    expect(r.status, r.stderr).toBe(0);
    const events = lines(r.stdout);
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual(rest);
    expect(events.at(-1)).toMatchObject({ type: 'result', runId, status: 'completed' });
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    try {
      expect(integrityCheck(db)).toEqual(['ok']);
      expect(listEpochs(db, runId).map((e) => [e.phase, e.epoch])).toEqual(Array.from({ length: epochs }, (_, i) => [1, i + 1]));
      const run = getRun(db, runId)!;
      expect(run.status).toBe('completed');
      expect(run.engineNotes).toMatch(/resumed at .* from the last epoch checkpoint/);
    } finally {
      db.close();
    }
  });
});
