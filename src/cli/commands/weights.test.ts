// SPDX-License-Identifier: MIT
// `transfer-studio weights ...` through the real CLI in child processes, each with its own
// KERAS_HOME: list, import (a MobileNetV2 .h5 written here in Keras's legacy layout), verify, rm,
// and downloads from a real HTTP server on 127.0.0.1 (allowed only by the test-only env switch).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLegacyWeightsH5 } from '../../engine/weights/index';
import { getModelSpec } from '../../engine/zoo/registry';
import { testDownloadOptions } from '../../services/weights';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'transfer-studio.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-weights-cli-'));
const MNV2_NOTOP = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5';
const RESNET50_NOTOP = 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process's event loop (the test HTTP server must keep serving). */
function cli(args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TRANSFER_STUDIO_TEST_ALLOW_HTTP: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function homes(name: string): { env: Record<string, string>; cache: string } {
  const root = path.join(tmp, name);
  return { env: { TRANSFER_STUDIO_HOME: path.join(root, 'data'), KERAS_HOME: path.join(root, 'keras') }, cache: path.join(root, 'keras', 'models') };
}

const json = <T>(r: Ran): T => JSON.parse(r.stdout) as T;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

let weightsFile: string;
const served = randomBytes(2 * 1024 * 1024 + 5);
let server: http.Server;
let base: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // A complete MobileNetV2 (no top) weights file as model.save_weights('x.h5') writes it.
  const model = getModelSpec('MobileNetV2').build({ includeTop: false, inputShape: [96, 96, 3] });
  weightsFile = path.join(tmp, 'my weights.h5');
  await writeLegacyWeightsH5(model, weightsFile, { weightNames: 'keras2' });
  model.dispose();
  server = http.createServer((req, res) => {
    if (req.url === `/${MNV2_NOTOP}` || req.url === `/${RESNET50_NOTOP}`) {
      res.writeHead(200, { 'content-length': served.length });
      return res.end(served);
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

interface ListJson {
  dir: string;
  models: { model: string; id: string; variants: { variant: string; fileName: string; present: boolean; bytes: number; expectedHash: string | null }[] }[];
  bundled: { id: string; name: string; available: boolean; licence?: { spdx: string; copyright: string } }[];
}

describe.concurrent('transfer-studio weights (child processes)', () => {
  it('lists every Keras model with both variants and the bundled nsfwjs weights with their licence', async () => {
    const h = homes('list');
    const r = await cli(['weights', 'list', '--json'], h.env);
    expect(r.code, r.stderr).toBe(0);
    const l = json<ListJson>(r);
    expect(l.dir).toBe(h.cache);
    expect(l.models).toHaveLength(26);
    const resnet = l.models.find((m) => m.model === 'ResNet50')!;
    expect(resnet.id).toBe('resnet50');
    expect(resnet.variants.find((v) => v.variant === 'notop')).toMatchObject({ fileName: RESNET50_NOTOP, present: false, bytes: 0, expectedHash: '4d473c1dd8becc155b73f8504c6f6626' });
    expect(l.bundled).toEqual([expect.objectContaining({ id: 'nsfwjs', name: 'MobileNetV2, weights from nsfwjs', available: true, licence: expect.objectContaining({ spdx: 'MIT' }) })]);
    expect(l.bundled[0].licence?.copyright).toMatch(/Copyright/);
  }, 90_000);

  it('imports a weights-only .h5 under Keras’s name after loading it, then verifies and removes it', async () => {
    const h = homes('import');
    const r = await cli(['weights', 'import', weightsFile, '--model', 'mobilenetv2', '--json'], h.env);
    expect(r.code, r.stderr).toBe(0);
    const dest = path.join(h.cache, MNV2_NOTOP);
    // The variant was detected (the file fits only the model without top); every layer was checked.
    expect(json(r)).toMatchObject({ model: 'MobileNetV2', variant: 'notop', path: dest, format: 'keras-h5-weights', layers: 104, replaced: false });
    expect(readFileSync(dest).equals(readFileSync(weightsFile))).toBe(true);
    expect(readdirSync(h.cache)).toEqual([MNV2_NOTOP]);

    const [list, verify] = await Promise.all([cli(['weights', 'list', 'MobileNetV2', '--json'], h.env), cli(['weights', 'verify', 'MobileNetV2', '--json'], h.env)]);
    expect(list.code, list.stderr).toBe(0);
    expect(json<ListJson>(list).models[0].variants.map((v) => [v.variant, v.present, v.bytes])).toEqual([
      ['top', false, 0],
      ['notop', true, readFileSync(weightsFile).length],
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(json<{ variant: string; status: string }[]>(verify).map((v) => [v.variant, v.status])).toEqual([
      ['top', 'missing'],
      ['notop', 'unverifiable'],
    ]);

    const rm = await cli(['weights', 'rm', 'MobileNetV2', '--json'], h.env);
    expect(rm.code, rm.stderr).toBe(0);
    expect(json(rm)).toEqual({ removed: [dest] });
    expect(readdirSync(h.cache)).toEqual([]);
  }, 120_000);

  it('refuses a truncated file and a file for another model, naming the file, and leaves the cache empty', async () => {
    const h = homes('bad-import');
    const truncated = path.join(tmp, 'truncated.h5');
    writeFileSync(truncated, readFileSync(weightsFile).subarray(0, 100_000));
    const other = path.join(tmp, 'tiny_full.h5');
    copyFileSync(path.join(repo, 'test/fixtures/keras-weights/tiny_full.h5'), other);
    const [a, b] = await Promise.all([
      cli(['weights', 'import', truncated, '--model', 'MobileNetV2', '--json'], h.env),
      cli(['weights', 'import', other, '--model', 'MobileNetV2', '--variant', 'notop', '--json'], h.env),
    ]);
    const ea = json<{ error: { code: string; message: string } }>(a).error;
    const eb = json<{ error: { code: string; message: string } }>(b).error;
    expect([a.code, ea.code]).toEqual([4, 'FILE_CORRUPT']);
    expect(ea.message).toContain(truncated);
    expect([b.code, eb.code]).toEqual([4, 'WEIGHTS_MISMATCH']);
    expect(eb.message).toContain(other);
    expect(existsSync(h.cache) ? readdirSync(h.cache) : []).toEqual([]);
  }, 120_000);

  it('verify fails with WEIGHTS_CORRUPT (exit 4) for a file that is not Keras’s', async () => {
    const h = homes('verify-bad');
    mkdirSync(h.cache, { recursive: true });
    writeFileSync(path.join(h.cache, RESNET50_NOTOP), 'not the weights');
    const r = await cli(['weights', 'verify', 'ResNet50', '--variant', 'notop', '--json'], h.env);
    expect(r.code).toBe(4);
    const e = json<{ error: { code: string; message: string; details: { results: { status: string; actual: string }[] } } }>(r).error;
    expect(e.code).toBe('WEIGHTS_CORRUPT');
    expect(e.details.results[0]).toMatchObject({ status: 'mismatch', actual: md5(Buffer.from('not the weights')) });
  }, 90_000);

  it('downloads from a loopback server with a progress bar on stderr; a wrong hash leaves neither file nor .part', async () => {
    const h = homes('download');
    const env = { ...h.env, TRANSFER_STUDIO_TEST_ALLOW_HTTP: '1', TRANSFER_STUDIO_TEST_WEIGHTS_URL: base };
    const [ok, bad] = await Promise.all([cli(['weights', 'download', 'MobileNetV2', '--json'], env), cli(['weights', 'download', 'ResNet50', '--variant', 'notop', '--json'], env)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toMatchObject({ model: 'MobileNetV2', variant: 'notop', jobId: 'weights:MobileNetV2:notop', bytes: served.length, hash: md5(served), cached: false });
    expect(readFileSync(path.join(h.cache, MNV2_NOTOP)).equals(served)).toBe(true);
    // Not a terminal: one line per tenth, ending at 100%.
    const bars = ok.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(bars.at(-1)).toMatch(/^\[#{24}\] 100% 2\.0 MiB \/ 2\.0 MiB/);
    expect(bad.code).toBe(4);
    expect(json<{ error: { code: string } }>(bad).error.code).toBe('WEIGHTS_CORRUPT');
    expect(readdirSync(h.cache).sort()).toEqual([MNV2_NOTOP]);
  }, 120_000);

  it('honours the loopback switch only with TRANSFER_STUDIO_TEST_ALLOW_HTTP=1', () => {
    expect(testDownloadOptions({ TRANSFER_STUDIO_TEST_WEIGHTS_URL: 'http://127.0.0.1:1/' })).toEqual({});
    expect(testDownloadOptions({ TRANSFER_STUDIO_TEST_ALLOW_HTTP: 'true', TRANSFER_STUDIO_TEST_WEIGHTS_URL: 'http://127.0.0.1:1/' })).toEqual({});
    expect(testDownloadOptions({ TRANSFER_STUDIO_TEST_ALLOW_HTTP: '1', TRANSFER_STUDIO_TEST_WEIGHTS_URL: 'http://127.0.0.1:1/' })).toEqual({ allowLocalHttp: true, testBaseUrl: 'http://127.0.0.1:1/' });
  });
});
