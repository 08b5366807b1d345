// SPDX-License-Identifier: MIT
// runs.import refusals: each names the folder or file and what is wrong, and creates no run. The
// real round trip (train.py output back into a run) is test/scaleout/package-train.test.ts.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/engine-api';
import { listRuns } from '../store/repos/runs';

const { tmp, db, call } = testEngine('ts-runs-import-');

async function folder(name: string, manifest?: string): Promise<string> {
  const dir = path.join(tmp, name);
  await fs.mkdir(dir, { recursive: true });
  if (manifest !== undefined) await fs.writeFile(path.join(dir, 'manifest.json'), manifest);
  return dir;
}

const result = (o: object) => JSON.stringify({ format: 'transfer-studio.package-result', version: 1, labels: ['a', 'b'], inputSize: 32, ...o });

describe('runs.import', () => {
  it('refuses folders that are not a train.py result, naming the folder or file', async () => {
    const empty = await folder('empty');
    await expect(call('runs.import', { dir: empty })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`${empty} holds no manifest.json from train.py`) });
    const pkg = await folder('package', JSON.stringify({ format: 'transfer-studio.training-package', labels: ['a', 'b'] }));
    await expect(call('runs.import', { dir: pkg })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`${path.join(pkg, 'manifest.json')} is not a training package result`) });
    const broken = await folder('broken', '{"format": "transfer-studio.package-res');
    await expect(call('runs.import', { dir: broken })).rejects.toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining(path.join(broken, 'manifest.json')) });
    const noRun = await folder('no-run', result({ runId: null }));
    await expect(call('runs.import', { dir: noRun })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('names no run') });
    const gone = await folder('gone', result({ runId: 41 }));
    await expect(call('runs.import', { dir: gone })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('run 41, which this database does not hold') });
    expect(listRuns(db)).toEqual([]);
  });

  it('reads output/ inside a package folder', async () => {
    const pkg = await folder('pkg2', JSON.stringify({ format: 'transfer-studio.training-package', labels: ['a', 'b'] }));
    await folder('pkg2/output', result({ runId: 7 }));
    await expect(call('runs.import', { dir: pkg })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('run 7') });
  });
});
