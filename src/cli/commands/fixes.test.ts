// SPDX-License-Identifier: MIT
// `fixes` and `train --retrain` through the real CLI in child processes, on a real run (Fashion-MNIST,
// one epoch): a confusion cell's images, a relabel that moves the file and its undo, then a relabel
// followed by a retrain that trains on the moved file under its new class.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'transfer-studio.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-fixes-cli-'));
const data = path.join(tmp, 'fashion');
const home = path.join(tmp, 'home');
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, TRANSFER_STUDIO_HOME: home }, encoding: 'utf8', timeout: 170_000 });
const TRAIN = ['--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--image-size', '32', '--epochs', '1', '--batch', '16', '--no-augment', '--fine-tune-epochs', '0'];

beforeAll(async () => {
  await writeFashionMnistFolder(data, { perClass: 3 });
  const r = cli(['train', '--data', data, ...TRAIN]);
  expect(r.status, r.stderr).toBe(0);
}, 200_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('transfer-studio fixes', () => {
  it('lists a confusion cell, diagonal included, as the evaluation counted it', () => {
    const ev = JSON.parse(cli(['eval', '1', '--json']).stdout) as { confusion: number[][]; classNames: string[] };
    const bag = ev.classNames.indexOf('Bag');
    const r = cli(['fixes', 'cell', '1', 'Bag', 'Bag']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${ev.confusion[bag][bag]} image(s) of true Bag predicted Bag (run 1, dataset 1 at ${data})`);
    const row = ev.confusion[bag].reduce((a, b) => a + b, 0);
    expect(row).toBe(3);
    const j = JSON.parse(cli(['fixes', 'cell', '1', String(bag), '0', '--json']).stdout) as { total: number };
    expect(j.total).toBe(ev.confusion[bag][0]);
    const bad = cli(['fixes', 'cell', '1', 'Hat', 'Bag']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/TRUE "Hat" is not a class of this run\. Its classes: Ankle_boot, Bag, /);
  });

  it('relabels by moving the file, undoes it, and a retrain trains on the moved file', () => {
    const from = 'train/Shirt/' + String(readFileSync(path.join(home, 'runs', '1', 'job.json'), 'utf8').match(/"train\/Shirt\/(\d+\.png)"/)![1]);
    const r = cli(['fixes', 'relabel', '1', from, 'Coat']);
    expect(r.status, r.stderr).toBe(0);
    const to = from.replace('/Shirt/', '/Coat/');
    expect(r.stdout).toContain(`Fix 1: relabel ${from} -> ${to} (Shirt -> Coat)\nUndo with: transfer-studio fixes undo 1`);
    expect(existsSync(path.join(data, to))).toBe(true);
    expect(existsSync(path.join(data, from))).toBe(false);
    expect(cli(['fixes', 'undo', '1']).stdout).toMatch(/^Fix 1: relabel .* \(undone /);
    expect(existsSync(path.join(data, from))).toBe(true);

    expect(cli(['fixes', 'relabel', '1', from, 'Coat']).status).toBe(0);
    expect(cli(['fixes', 'list', '1']).stdout.split('\n')[0]).toBe(`Fix 2: relabel ${from} -> ${to} (Shirt -> Coat)`);
    const t = cli(['train', '--retrain', '1']);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).toContain('Retraining run 1 with the same settings');
    expect(t.stdout).toContain('Run 2 completed');
    const job = JSON.parse(readFileSync(path.join(home, 'runs', '2', 'job.json'), 'utf8')) as { data: { classes: string[]; train: { path: string; label: number }[]; validation: { path: string; label: number }[] }; request: Record<string, unknown> };
    const all = [...job.data.train, ...job.data.validation];
    expect(all.find((i) => i.path === to)?.label).toBe(job.data.classes.indexOf('Coat'));
    expect(all.some((i) => i.path === from)).toBe(false);
    const first = JSON.parse(readFileSync(path.join(home, 'runs', '1', 'job.json'), 'utf8')) as { request: Record<string, unknown> };
    expect(job.request).toEqual(first.request);
  }, 200_000);
});
