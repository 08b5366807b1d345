// SPDX-License-Identifier: MIT
// `datasets import` and `train` through the real CLI in child processes: near duplicates, a leak
// between splits and its fix (identical bytes moved, near pairs reported), tiny classes and every
// skipped file named.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoPng, resizedCopy } from '../../../test/fixtures/photos';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'transfer-studio.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-datasets-cli-'));
const data = path.join(tmp, 'photos');
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, TRANSFER_STUDIO_HOME: path.join(tmp, 'home') }, encoding: 'utf8', timeout: 170_000 });

beforeAll(async () => {
  // The user's own train/test folders, with a resized copy of a training image in test: a leak.
  for (const [ci, c] of ['cat', 'dog'].entries()) {
    for (const split of ['train', 'test']) await mkdir(path.join(data, split, c), { recursive: true });
    for (let i = 0; i < 8; i++) await writeFile(path.join(data, 'train', c, `${i}.png`), await photoPng(32, 10 * ci + i));
    for (let i = 0; i < 3; i++) await writeFile(path.join(data, 'test', c, `${i}.png`), await photoPng(32, 100 + 10 * ci + i));
  }
  await mkdir(path.join(data, 'train', 'bird'));
  for (let i = 0; i < 3; i++) await writeFile(path.join(data, 'train', 'bird', `${i}.png`), await photoPng(32, 200 + i));
  // A re-encoded copy of a training image in test (a near pair: reported), and a byte-identical one (moved).
  await writeFile(path.join(data, 'test', 'cat', 'copy-of-train-3.jpg'), await resizedCopy(await photoPng(32, 3), 32, 90));
  await writeFile(path.join(data, 'test', 'dog', 'same-as-train-2.png'), await photoPng(32, 12));
  await writeFile(path.join(data, 'train', 'dog', 'notes.txt'), 'not an image');
  await writeFile(path.join(data, 'train', 'dog', 'broken.png'), Buffer.from('truncated'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('transfer-studio datasets import / train: dataset health', () => {
  it('import prints identical and near duplicates, tiny classes, the leak it fixes and the one it reports', () => {
    const r = cli(['datasets', 'import', data]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 group(s) of identical or near-identical images');
    expect(r.stdout).toContain('[near] test/cat/copy-of-train-3.jpg  ~  train/cat/3.png');
    expect(r.stdout).toContain('[identical] test/dog/same-as-train-2.png  =  train/dog/2.png');
    expect(r.stdout).toMatch(/warning: Class "bird" has only 3 images/);
    expect(r.stdout).toContain('1 group(s) of identical images fell into different splits; each is kept in one split:\n  test/dog/same-as-train-2.png (test), train/dog/2.png (train) -> all train');
    expect(r.stdout).toContain('1 pair(s) of near-identical images fell into different splits (not moved; check whether each is the same picture):\n  test/cat/copy-of-train-3.jpg (test), train/cat/3.png (train)\n');
    const j = cli(['datasets', 'import', data, '--json']);
    const out = JSON.parse(j.stdout) as { leaks: { keptIn: string; paths: string[] }[]; dataset: { similar: unknown[] } };
    expect(out.leaks).toEqual([
      { kind: 'near', paths: ['test/cat/copy-of-train-3.jpg', 'train/cat/3.png'], before: { 'test/cat/copy-of-train-3.jpg': 'test', 'train/cat/3.png': 'train' }, keptIn: 'train', moved: false },
      { kind: 'exact', paths: ['test/dog/same-as-train-2.png', 'train/dog/2.png'], before: { 'test/dog/same-as-train-2.png': 'test', 'train/dog/2.png': 'train' }, keptIn: 'train', moved: true },
    ]);
  });

  it('train names every skipped file and the leak before training, and the run trains on the fixed split', () => {
    const r = cli(['train', '--data', data, '--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--image-size', '32', '--epochs', '1', '--batch', '8', '--no-augment', '--fine-tune-epochs', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 file(s) skipped:');
    expect(r.stderr).toMatch(/ {2}train\/dog\/broken\.png: .+/);
    expect(r.stderr).toMatch(/ {2}train\/dog\/notes\.txt: Not an image file type/);
    expect(r.stderr).toContain('test/dog/same-as-train-2.png (test), train/dog/2.png (train) -> all train');
    expect(r.stderr).toContain('  test/cat/copy-of-train-3.jpg (test), train/cat/3.png (train)\n');
    const job = JSON.parse(readFileSync(path.join(tmp, 'home', 'runs', '1', 'job.json'), 'utf8')) as { notes: string[]; data: { train: { path: string }[]; test: { path: string }[] } };
    expect(job.notes).toContain('leak fixed: identical images test/dog/same-as-train-2.png (test), train/dog/2.png (train) all kept in train');
    expect(job.notes).toContain('warning: leak: near-identical images test/cat/copy-of-train-3.jpg (test), train/cat/3.png (train) (not moved: check whether they are the same picture)');
    expect(job.data.train.map((i) => i.path)).toContain('test/dog/same-as-train-2.png');
    expect(job.data.test.map((i) => i.path)).not.toContain('test/dog/same-as-train-2.png');
    expect(job.data.test.map((i) => i.path)).toContain('test/cat/copy-of-train-3.jpg');
    expect(job.data.test).toHaveLength(7);
  });
});
