// SPDX-License-Identifier: MIT
// A full disk and a read-only folder, for real: small tmpfs mounts as the weights cache, the data
// folder and the export target. Each write fails with a clear error naming the folder, nothing
// half-written is left under a name the user or Keras sees, and what was there before survives.
// Mounting needs root; elsewhere these tests are skipped with the reason.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifact } from '../../src/engine/artifacts/model-artifact';
import { exportModel } from '../../src/engine/export/index';
import { downloadWeights, installWeightsFile, writeLegacyWeightsH5 } from '../../src/engine/weights/index';
import { getModelSpec } from '../../src/engine/zoo/registry';
import { serializeError } from '../../src/shared/errors';
import { integrityCheck, openDatabase } from '../../src/store/db';
import { createProject, listProjects } from '../../src/store/repos/projects';
import { fill, mountTmpfs, type Mount } from './tmpfs';
import { rejection } from '../fixtures/rejection';

const MNV2_NOTOP = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-diskfull-'));
const mounts: Mount[] = [];
const probe = mountTmpfs(path.join(tmp, 'probe'), 'size=64k');
const skipReason = typeof probe === 'string' ? probe : null;
if (typeof probe !== 'string') probe.unmount();
if (skipReason) process.stderr.write(`test/reliability/disk-full.test.ts skipped: ${skipReason}\n`);

function mount(name: string, opts: string): Mount {
  const m = mountTmpfs(path.join(tmp, name), opts);
  if (typeof m === 'string') throw new Error(m);
  mounts.push(m);
  return m;
}

const served = randomBytes(3 * 1024 * 1024);
let server: http.Server;
let base: string;
let weightsFile: string;
let artifact: string;

beforeAll(async () => {
  if (skipReason) return;
  await tf.setBackend('cpu');
  server = http.createServer((req, res) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { 'content-length': served.length - start, ...(m ? { 'content-range': `bytes ${start}-${served.length - 1}/${served.length}` } : {}) });
    res.end(served.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // ~9 MB: a complete MobileNetV2 (no top) weights file, larger than the 2 MiB cache mounts.
  const model = getModelSpec('MobileNetV2').build({ includeTop: false, inputShape: [96, 96, 3] });
  weightsFile = path.join(tmp, 'mnv2_notop.h5');
  await writeLegacyWeightsH5(model, weightsFile);
  model.dispose();
  // ~800 KB of weights: a model folder as training leaves it.
  const small = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 64 }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  artifact = path.join(tmp, 'model');
  await saveModelArtifact(small, artifact, { labels: ['a', 'b', 'c'], inputSize: 32, preprocess: 'tf', backbone: 'none', weights: 'none' });
  small.dispose();
}, 120_000);

afterAll(async () => {
  for (const m of mounts) m.unmount();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skipReason !== null)('full disk (small tmpfs)', () => {
  it('weights download into a full cache: DISK_FULL naming the folder, no file under Keras’s name; resumes once there is room', async () => {
    const m = mount('cache-dl', 'size=2m');
    const opts = { cacheDir: m.dir, allowLocalHttp: true, testBaseUrl: base, env: {} };
    const e = await rejection(downloadWeights('MobileNetV2', 'notop', opts));
    expect(e.code).toBe('DISK_FULL');
    expect(e.message).toContain(m.dir);
    expect(existsSync(path.join(m.dir, MNV2_NOTOP))).toBe(false);
    expect(readdirSync(m.dir).filter((f) => !f.endsWith('.part'))).toEqual([]);
    m.remount('size=8m');
    const r = await downloadWeights('MobileNetV2', 'notop', opts);
    expect(r).toMatchObject({ bytes: served.length, resumed: true });
    expect(readFileSync(path.join(m.dir, MNV2_NOTOP)).equals(served)).toBe(true);
    expect(readdirSync(m.dir)).toEqual([MNV2_NOTOP]);
  });

  it('weights import into a full cache: DISK_FULL, no temporary or partial file left', async () => {
    const m = mount('cache-import', 'size=2m');
    const e = await rejection(installWeightsFile('MobileNetV2', weightsFile, 'notop', { cacheDir: m.dir }));
    expect(e.code).toBe('DISK_FULL');
    expect(e.message).toContain(m.dir);
    expect(readdirSync(m.dir)).toEqual([]);
  });

  it('export to a full disk: DISK_FULL, no half-written file in the folder, no temporary zip', async () => {
    const m = mount('export', 'size=1m');
    const keep = path.join(m.dir, 'out', 'notes.txt');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(path.dirname(keep), { recursive: true });
      await fs.writeFile(keep, 'the user’s own file');
    });
    fill(m.dir, 100_000);
    const folder = await rejection(exportModel({ artifactDir: artifact, format: 'tfjs', out: path.join(m.dir, 'out') }));
    expect(folder.code).toBe('DISK_FULL');
    expect(folder.message).toContain(path.join(m.dir, 'out'));
    expect(readdirSync(path.join(m.dir, 'out'))).toEqual(['notes.txt']);
    expect(readFileSync(keep, 'utf8')).toBe('the user’s own file');
    const zip = await rejection(exportModel({ artifactDir: artifact, format: 'h5', out: path.join(m.dir, 'model.zip'), zip: true }));
    expect(zip.code).toBe('DISK_FULL');
    expect(readdirSync(m.dir).filter((f) => !f.startsWith('filler-')).sort()).toEqual(['out']);
  });

  it('database on a full disk: the failed write is rolled back, committed rows and integrity survive', () => {
    const m = mount('data', 'size=1m');
    const file = path.join(m.dir, 'transfer-studio.db');
    const db = openDatabase(file);
    for (let i = 0; i < 10; i++) createProject(db, `kept ${i}`);
    const filler = fill(m.dir, 0);
    let err: unknown;
    try {
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) createProject(db, `lost ${i}`, { pad: 'x'.repeat(1000) });
      })();
    } catch (e) {
      err = e;
    }
    expect(err, 'the insert should have hit the full disk').toBeDefined();
    expect(serializeError(err).message).toMatch(/full/);
    db.close();
    rmSync(filler);
    const again = openDatabase(file);
    try {
      expect(integrityCheck(again)).toEqual(['ok']);
      expect(listProjects(again).map((p) => p.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `kept ${i}`).sort());
    } finally {
      again.close();
    }
  });

  // A database that cannot be opened for lack of space must not be called corrupt ("move it
  // aside" would send the user to discard a healthy database).
  it('database errors on a full disk say DISK_FULL', () => {
    const m = mount('data-code', 'size=1m');
    const file = path.join(m.dir, 'transfer-studio.db');
    const db = openDatabase(file);
    createProject(db, 'kept');
    db.close();
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    fill(m.dir, 0);
    let code: string | undefined;
    try {
      openDatabase(file).close();
    } catch (e) {
      code = serializeError(e).code;
    }
    // Whatever the code, the file itself is untouched.
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
    expect(code).toBe('DISK_FULL');
  });
});

describe.skipIf(skipReason !== null)('read-only folders (read-only tmpfs)', () => {
  it('download, import and export refuse with READ_ONLY naming the folder; nothing changes', async () => {
    const m = mount('ro', 'size=1m');
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(m.dir, 'out')));
    m.remount('ro');
    const dl = await rejection(downloadWeights('MobileNetV2', 'notop', { cacheDir: m.dir, allowLocalHttp: true, testBaseUrl: base, env: {} }));
    expect([dl.code, dl.message.includes(m.dir)]).toEqual(['READ_ONLY', true]);
    const imp = await rejection(installWeightsFile('MobileNetV2', weightsFile, 'notop', { cacheDir: m.dir }));
    expect([imp.code, imp.message.includes(m.dir)]).toEqual(['READ_ONLY', true]);
    const exp = await rejection(exportModel({ artifactDir: artifact, format: 'tfjs', out: path.join(m.dir, 'out') }));
    expect([exp.code, exp.message.includes(path.join(m.dir, 'out'))]).toEqual(['READ_ONLY', true]);
    expect(readdirSync(m.dir)).toEqual(['out']);
    expect(readdirSync(path.join(m.dir, 'out'))).toEqual([]);
  });
});
