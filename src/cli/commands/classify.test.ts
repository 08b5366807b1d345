// SPDX-License-Identifier: MIT
// The classify command as users run it: real child processes on a real folder with a trained
// model. A job SIGKILLed halfway resumes and ends with every file classified exactly once;
// organise --move then undo restores the folder byte for byte.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { trainTinyClassifier, type TinyClassifier } from '../../../test/fixtures/tiny-classifier';
import { decodeImage } from '../../engine/data/decode';
import { parseCsvLine } from '../../engine/classify/export';
import { organizeFiles, undoOrganize } from '../../engine/classify/organize';
import { preprocessPixels } from '../../engine/zoo/preprocess';

const repo = path.resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'classify-cli-test-'));
const home = path.join(tmp, 'home');
const photos = path.join(tmp, 'photos');
let tiny: TinyClassifier;
let files: string[];

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `whenRows` is called with the stored row count while it runs and may kill it. */
function cli(args: string[], watch?: (rows: number, kill: () => void) => void): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/transfer-studio.mjs'), ...args], { cwd: repo, env: { ...process.env, TRANSFER_STUDIO_HOME: home } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = watch ? setInterval(() => watch(storedRows(), () => child.kill('SIGKILL')), 15) : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      const lines = out.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, lines, stdout: out, stderr: err });
    });
  });
}

function withDb<T>(fn: (db: Database.Database) => T, fallback: T): T {
  const file = path.join(home, 'transfer-studio.db');
  if (!existsSync(file)) return fallback;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } catch {
    return fallback;
  } finally {
    db.close();
  }
}

const storedRows = () => withDb((db) => (db.prepare('SELECT count(*) n FROM classification_results').get() as { n: number }).n, 0);

/** Every entry under `dir`: type, bytes' sha256 or link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(a)}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(a, r);
      } else out[r] = `file:${createHash('sha256').update(readFileSync(a)).digest('hex')}`;
    }
  };
  walk(dir, '');
  return out;
}

beforeAll(async () => {
  tiny = await trainTinyClassifier(path.join(tmp, 'model'));
  files = (await writeFashionMnistFolder(photos, { splits: ['test'], perClass: 50 })).files.map((f) => f.path);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('transfer-studio classify', () => {
  it('a job SIGKILLed halfway resumes where it stopped and ends with every file classified exactly once', async () => {
    const args = ['classify', '--model', tiny.dir, photos, '--recursive', '--batch-size', '4', '--json'];
    const killed = await cli(args, (rows, kill) => rows >= 40 && kill());
    expect(killed.signal).toBe('SIGKILL');
    const before = storedRows();
    expect(before).toBeGreaterThanOrEqual(40);
    expect(before).toBeLessThan(files.length);

    const out = path.join(tmp, 'results.csv');
    const resumed = await cli([...args, '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const job = resumed.lines.find((l) => l.type === 'job')!;
    expect(job).toMatchObject({ jobId: 1, resumed: true });
    const summary = resumed.lines.find((l) => l.type === 'summary') as { run: { resumed: number; classified: number }; engine: string };
    expect(summary.engine).toBe('onnxruntime');
    expect(summary.run.resumed).toBe(before);
    expect(summary.run.classified).toBe(files.length - before);
    const [jobs, rows, distinct] = withDb(
      (db) => [
        (db.prepare('SELECT count(*) n FROM jobs').get() as { n: number }).n,
        (db.prepare('SELECT count(*) n FROM classification_results WHERE job_id = 1').get() as { n: number }).n,
        (db.prepare('SELECT count(DISTINCT rel_path) n FROM classification_results WHERE job_id = 1 AND label IS NOT NULL').get() as { n: number }).n,
      ],
      [0, 0, 0],
    );
    expect([jobs, rows, distinct]).toEqual([1, files.length, files.length]);

    // The CSV holds each file once, with the model's own label and probability.
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1).map(parseCsvLine);
    expect(lines.map((l) => l[0]).sort()).toEqual([...files].sort());
    for (const [rel, label, conf] of lines.filter((_, i) => i % 10 === 0)) {
      const img = await decodeImage(path.join(photos, rel), { width: 28, height: 28, interpolation: 'bilinear' });
      const probs = tf.tidy(() => (tiny.model.predict(tf.tensor4d(preprocessPixels(img.data, 'unit'), [1, 28, 28, 3])) as tf.Tensor).dataSync());
      const best = probs.indexOf(Math.max(...probs));
      expect(label).toBe(tiny.labels[best]);
      expect(Math.abs(Number(conf) - probs[best])).toBeLessThan(1e-4);
    }
  }, 90_000);

  it('organise --move then undo restores the folder byte for byte; links and other files are never touched', async () => {
    const root = path.join(tmp, 'sort-me');
    mkdirSync(path.join(root, 'b'), { recursive: true });
    for (const rel of files.slice(0, 30)) copyFileSync(path.join(photos, rel), path.join(root, path.basename(rel)));
    // The same photo under the same name in a sub-folder lands in the same class folder: it must not overwrite the first.
    copyFileSync(path.join(photos, files[0]), path.join(root, 'b', path.basename(files[0])));
    writeFileSync(path.join(root, 'notes.txt'), 'not a photo');
    symlinkSync(path.basename(files[1]), path.join(root, 'link-to-photo.png'));
    const before = snapshot(root);
    const dest = path.join(tmp, 'sorted');

    const r = await cli(['classify', '--model', tiny.dir, root, '--recursive', '--organize', dest, '--move', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = r.lines.find((l) => l.type === 'summary') as { jobId: number; organize: { done: number; skipped: { path: string; reason: string }[] } };
    expect(summary.organize.done).toBe(31);
    expect(summary.organize.skipped).toEqual([{ path: 'link-to-photo.png', reason: expect.stringMatching(/link/) }]);
    const after = snapshot(root);
    expect(Object.keys(after).sort()).toEqual(['b', 'link-to-photo.png', 'notes.txt']);
    const sorted = Object.keys(snapshot(dest)).filter((k) => k.includes('/'));
    expect(sorted.length).toBe(31);
    expect(sorted.some((k) => k.endsWith(` (2).png`))).toBe(true);

    const u = await cli(['classify', 'undo', String(summary.jobId), '--json']);
    expect(u.code, u.stderr).toBe(0);
    expect(JSON.parse(u.stdout)).toMatchObject({ restored: 31, skipped: [] });
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(dest)).toBe(false);
  }, 90_000);

  it('copy mode: undo deletes only copies whose bytes still match', async () => {
    const root = path.join(tmp, 'copy-me');
    mkdirSync(root);
    const items = files.slice(0, 3).map((rel) => {
      copyFileSync(path.join(photos, rel), path.join(root, path.basename(rel)));
      return { relPath: path.basename(rel), label: 'x', unsure: false, sha256: createHash('sha256').update(readFileSync(path.join(photos, rel))).digest('hex') };
    });
    const before = snapshot(root);
    const dest = path.join(tmp, 'copies');
    const s = await organizeFiles({ root, dest, mode: 'copy', items, logPath: path.join(tmp, 'copy.jsonl') });
    expect(s.done).toBe(3);
    writeFileSync(path.join(dest, 'x', items[0].relPath), 'edited by the user');
    const u = await undoOrganize(path.join(tmp, 'copy.jsonl'));
    expect(u.restored).toBe(2);
    expect(u.skipped.map((k) => path.basename(k.path))).toEqual([items[0].relPath]);
    expect(readdirSync(path.join(dest, 'x'))).toEqual([items[0].relPath]);
    expect(snapshot(root)).toEqual(before);
    await expect(undoOrganize(path.join(tmp, 'copy.jsonl'))).rejects.toThrow(/already undone/);
  });
});
