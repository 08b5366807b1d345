// SPDX-License-Identifier: MIT
// Security checks not covered beside the code (src/server/server.test.ts has token, Host, Origin,
// body limits and the tokened WebSocket; src/main/window-options.test.ts the Electron window;
// src/services/fs-browser.test.ts the folder browser): the token compare, no CORS anywhere,
// browser-mode confinement of weights.import, and downloads only from Keras's https list.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile } from '../../src/engine/weights/download';
import { startServer, type RunningServer } from '../../src/server/server';
import { tokenMatches } from '../../src/server/security';
import { createEngineApi } from '../../src/services/api';
import { AppError } from '../../src/shared/errors';
import { dispatch } from '../../src/shared/ipc/dispatch';
import { openDatabase, type Db } from '../../src/store/db';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-security-'));
let db: Db;
let server: RunningServer;

beforeAll(async () => {
  const staticDir = path.join(tmp, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Transfer Studio</title>');
  db = openDatabase(path.join(tmp, 'db.sqlite'));
  server = await startServer({ api: createEngineApi({ db, mode: 'browser' }), staticDir });
});
afterAll(async () => {
  await server.close();
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

function request(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: opts.path, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...opts.headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('browser-mode server', () => {
  it('compares the token exactly (digests, so the length does not matter to the timing)', () => {
    const t = server.token;
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(tokenMatches(t, t.slice(0, 10))).toBe(false);
    expect(tokenMatches(t, `${t}x`)).toBe(false);
    expect(tokenMatches(t, '')).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches.toString()).toContain('timingSafeEqual');
  });

  it('sends no CORS headers: not to a preflight from another site, not on a good call', async () => {
    const preflight = await request({
      path: '/api/call/projects.list',
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const ok = await request({ path: '/api/call/projects.list', method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('browser mode: weights.import reads only from home and the chosen folders', () => {
  async function code(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'resolved';
    } catch (err) {
      return (err as AppError).code;
    }
  }

  it('refuses a file outside them, and a symlink inside a chosen folder that points outside', async () => {
    const outside = mkdtempSync(path.join('/var/tmp', 'ts-outside-'));
    try {
      const secret = path.join(outside, 'weights.h5');
      writeFileSync(secret, 'not for the browser');
      const chosen = path.join(tmp, 'chosen');
      mkdirSync(chosen);
      symlinkSync(secret, path.join(chosen, 'link.h5'));
      const api = createEngineApi({ db, mode: 'browser', allowedRoots: new Set([chosen]) });
      // Only meaningful when the temporary folders are not under home.
      if (!outside.startsWith(os.homedir() + path.sep)) {
        expect(await code(dispatch(api, 'weights.import', { file: secret, model: 'MobileNetV2' }))).toBe('FORBIDDEN_PATH');
        expect(await code(dispatch(api, 'weights.import', { file: path.join(chosen, 'link.h5'), model: 'MobileNetV2' }))).toBe('FORBIDDEN_PATH');
        expect(await code(dispatch(api, 'weights.import', { file: path.join(chosen, path.relative(chosen, secret)), model: 'MobileNetV2' }))).toBe('FORBIDDEN_PATH');
        // Whether a path outside exists is not revealed either.
        expect(await code(dispatch(api, 'weights.import', { file: path.join(outside, 'absent.h5'), model: 'MobileNetV2' }))).toBe('FORBIDDEN_PATH');
      }
      // Inside the chosen folder the file is read (and refused for what it is, not where it is).
      writeFileSync(path.join(chosen, 'mine.h5'), 'not HDF5');
      expect(await code(dispatch(api, 'weights.import', { file: path.join(chosen, 'mine.h5'), model: 'MobileNetV2' }))).toBe('FILE_CORRUPT');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('downloads', () => {
  it('only from the https URLs Keras lists: http, other hosts and look-alikes are refused before any request', async () => {
    const dest = path.join(tmp, 'w.h5');
    for (const url of [
      'http://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      'https://evil.example/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      'https://storage.googleapis.com.evil.example/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      'http://127.0.0.1:9/x.h5',
      'file:///etc/passwd',
    ]) {
      const err = await downloadFile({ url, dest, env: {} }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, url).toBeInstanceOf(AppError);
      expect((err as AppError).code, url).toBe('INVALID_ARGUMENT');
    }
  });
});
