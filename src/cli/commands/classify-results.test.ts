// SPDX-License-Identifier: MIT
// `classify results / correct / export` as users run them: real child processes on a real SQLite
// file, a nested folder classified with a real (hand-weighted) TF.js model folder, a correction
// and its undo read back from the CSV and JSON files, and bad input refused with a clear message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greyPng, writeBrightnessModel } from '../../../test/fixtures/brightness-model';
import { parseCsvLine } from '../../engine/classify/export';

const repo = path.resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'classify-results-cli-'));
const photos = path.join(tmp, 'photos');
const modelDir = path.join(tmp, 'model');
let jobId = 0;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/transfer-studio.mjs'), ...args], { cwd: repo, env: { ...process.env, TRANSFER_STUDIO_HOME: path.join(tmp, 'home') }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = <T>(r: { code: number | null; stdout: string; stderr: string }): T => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};
function csvRows(file: string): Record<string, Record<string, string>> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n').map(parseCsvLine);
  return Object.fromEntries(lines.map((l) => [l[0], Object.fromEntries(header.map((h, i) => [h, l[i]]))]));
}

beforeAll(async () => {
  // Bright is 'cat', dark is 'dog'.
  await writeBrightnessModel(modelDir);
  await greyPng(path.join(photos, 'top.png'), 0.9);
  await greyPng(path.join(photos, 'a', 'dark.png'), 0.1);
  await greyPng(path.join(photos, 'a', 'b', 'bright.png'), 0.8);
  const r = cli('classify', '--model', modelDir, photos, '--recursive', '--json');
  expect(r.code, r.stderr).toBe(0);
  jobId = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { jobId: number }).jobId;
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('transfer-studio classify results / correct / export', () => {
  it('lists the results, corrects one, exports CSV and JSON with it, and undoes it', () => {
    const page = json<{ total: number; items: { path: string; label: string }[] }>(cli('classify', 'results', String(jobId), '--json'));
    expect(page.total).toBe(3);
    expect(page.items.map((r) => [r.path, r.label]).sort()).toEqual([['a/b/bright.png', 'cat'], ['a/dark.png', 'dog'], ['top.png', 'cat']]);

    const fixed = cli('classify', 'correct', String(jobId), 'a/dark.png', 'cat');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toBe('a/dark.png: cat (corrected; the model said dog).\n');
    expect(cli('classify', 'results', String(jobId)).stdout).toMatch(/a\/dark\.png\s+cat\s+[\d.]+%\s+corrected \(model: dog\)/);

    const csv = path.join(tmp, 'out', 'results.csv');
    const wrote = cli('classify', 'export', String(jobId), csv);
    expect(wrote.stdout).toBe(`Wrote 3 rows to ${csv}.\n`);
    expect(csvRows(csv)['a/dark.png']).toMatchObject({ label: 'cat', model_label: 'dog', unsure: '0' });
    expect(csvRows(csv)['top.png']).toMatchObject({ label: 'cat', model_label: 'cat' });
    const out = json<{ path: string; rows: number; format: string }>(cli('classify', 'export', String(jobId), path.join(tmp, 'out', 'results.json'), '--json'));
    expect(out).toMatchObject({ rows: 3, format: 'json' });
    const doc = JSON.parse(readFileSync(out.path, 'utf8')) as { results: { path: string; label: string; corrected: boolean }[] };
    expect(doc.results.find((r) => r.path === 'a/dark.png')).toMatchObject({ label: 'cat', corrected: true });

    // (Exports after an undo: src/services/classify.test.ts, in-process; each CLI start costs seconds.)
    expect(json<{ label: string; corrected: boolean }>(cli('classify', 'correct', String(jobId), 'a/dark.png', '--clear', '--json'))).toMatchObject({ label: 'dog', corrected: false });
  });

  it('refuses an unknown class, a missing label and a bad job id, naming what was wrong', () => {
    const horse = cli('classify', 'correct', String(jobId), 'top.png', 'horse');
    expect(horse.code).toBe(2);
    expect(horse.stderr).toMatch(/label must be one of job \d+'s classes \(cat, dog\).*Received: "horse"/);
    expect(cli('classify', 'correct', String(jobId), 'top.png').stderr).toContain('Pass either a LABEL or --clear for top.png');
    expect(cli('classify', 'export', 'x', path.join(tmp, 'r.csv')).stderr).toContain('JOB must be a classify job id');
  });
});
