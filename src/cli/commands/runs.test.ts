// SPDX-License-Identifier: MIT
// `runs`, `runs rename`, `runs threshold`, `runs rm` and `classify --model RUN FILE`, run through the
// CLI's own entry point (in this process, for speed) against a real database and model folder.
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { brightnessConfidence, greyPng, writeBrightnessModel } from '../../../test/fixtures/brightness-model';
import { openDatabase } from '../../store/db';
import { createRun, getRun, updateRun } from '../../store/repos/runs';
import { main } from '../main';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-runs-cli-'));
const saved = process.env.TRANSFER_STUDIO_HOME;
let runId = 0;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    const code = await main(['node', 'transfer-studio', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  process.env.TRANSFER_STUDIO_HOME = home;
  const db = openDatabase(path.join(home, 'transfer-studio.db'));
  const run = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: {} });
  const dir = path.join(home, 'runs', String(run.id));
  await writeBrightnessModel(path.join(dir, 'model'), run.id);
  updateRun(db, run.id, { dir, status: 'completed' });
  runId = run.id;
  db.close();
  await greyPng(path.join(home, 'bright.png'), 0.8);
});
afterAll(async () => {
  process.env.TRANSFER_STUDIO_HOME = saved;
  await fs.rm(home, { recursive: true, force: true });
});

describe('transfer-studio runs', () => {
  it('renames a run, and the list shows the name', async () => {
    const r = await cli('runs', 'rename', String(runId), 'brightness baseline');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Run ${runId} is now "brightness baseline".`);
    const list = await cli('runs', '--json');
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ id: runId, name: 'brightness baseline', status: 'completed' })]);
    expect((await cli('runs')).out).toMatch(/brightness baseline\s+completed/);
  });

  it('classifies one file with the run, then as unsure once the run has a higher threshold', async () => {
    const photo = path.join(home, 'bright.png');
    const first = await cli('classify', '--model', String(runId), photo, '--json');
    expect(first.code, first.out + first.err).toBe(0);
    const p = JSON.parse(first.out) as { label: string; confidence: number; unsure: boolean; top: { label: string }[] };
    expect(p).toMatchObject({ label: 'cat', unsure: false });
    expect(p.confidence).toBeCloseTo(brightnessConfidence(204 / 255), 4);
    expect(p.top.map((t) => t.label)).toEqual(['cat', 'dog']);
    expect((await cli('runs', 'threshold', String(runId), '0.999')).code).toBe(0);
    const human = await cli('classify', '--model', String(runId), photo);
    expect(human.out).toMatch(/bright\.png: unsure \(top cat at 99\.\d%, below 0\.999\)/);
    // --threshold still wins over the run's.
    expect(JSON.parse((await cli('classify', '--model', String(runId), photo, '--threshold', '0.6', '--json')).out)).toMatchObject({ label: 'cat', unsure: false, threshold: 0.6 });
  });

  it('says what is wrong with a bad run id or a one-file classify without a run', async () => {
    const bad = await cli('runs', 'rm', 'abc');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/RUN must be a run id/);
    const noRun = await cli('classify', '--model', 'mobilenetv2', path.join(home, 'bright.png'));
    expect(noRun.code).not.toBe(0);
    expect(noRun.err).toMatch(/needs --model RUN, a run id/);
  });

  it('deletes a run with its folder', async () => {
    const db = openDatabase(path.join(home, 'transfer-studio.db'));
    const dir = getRun(db, runId)!.dir!;
    db.close();
    const r = await cli('runs', 'rm', String(runId));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Deleted run ${runId} and ${dir}.`);
    expect(existsSync(dir)).toBe(false);
    expect(JSON.parse((await cli('runs', '--json')).out)).toEqual([]);
    const again = await cli('runs', 'rm', String(runId));
    expect(again.err).toMatch(/No run with id/);
  });
});
