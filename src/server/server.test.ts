// SPDX-License-Identifier: MIT
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openDatabase, type Db } from '../store/db';
import { createEngineApi } from '../services/api';
import { startServer, type RunningServer } from './server';

let server: RunningServer;
let db: Db;

/** Raw requests, so tests can forge Host and Origin headers the way an attacker's page would. */
function request(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: opts.path, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const call = (method: string, input: unknown, headers: Record<string, string> = { authorization: `Bearer ${server.token}` }) =>
  request({ path: `/api/call/${method}`, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-server-'));
  const staticDir = path.join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Transfer Studio</title>');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(staticDir, 'link.txt'));
  db = openDatabase(path.join(dir, 'db.sqlite'));
  server = await startServer({ api: createEngineApi({ db, mode: 'browser' }), staticDir });
});

afterAll(async () => {
  await server.close();
  db.close();
});

describe('browser-mode server', () => {
  it('binds to loopback only and prints a tokened URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.urlWithToken).toBe(`${server.url}?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers a contract call with the token', async () => {
    const created = await call('projects.create', { name: 'Garden birds' });
    expect(created.status).toBe(200);
    const list = await call('projects.list', {});
    const body = JSON.parse(list.body) as { ok: boolean; result: { name: string }[] };
    expect(body.ok).toBe(true);
    expect(body.result.map((p) => p.name)).toContain('Garden birds');
    expect(list.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses every API request without the right token', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${server.token}x` }];
    for (const headers of attempts) {
      const res = await call('projects.list', {}, headers);
      expect(res.status).toBe(401);
      expect(res.body).not.toContain('Garden birds');
    }
  });

  it('refuses forged Host and foreign Origin headers (DNS rebinding)', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    expect((await call('projects.list', {}, { ...auth, host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await call('projects.list', {}, { ...auth, origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('projects.list', {}, { ...auth, origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('validates input against the contract and limits body size', async () => {
    const bad = await call('projects.create', { name: '' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('INVALID_ARGUMENT');
    const extra = await call('projects.create', { name: 'x', sneaky: true });
    expect(extra.status).toBe(400);
    const unknown = await call('no.such', {});
    expect(unknown.status).toBe(400);
    const huge = await call('projects.create', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(400);
  });

  it('serves the renderer but never files outside it', async () => {
    const index = await request({ path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect((await request({ path: '/../secret.txt' })).body).not.toContain('outside the renderer');
    expect((await request({ path: '/%2e%2e/secret.txt' })).body).not.toContain('outside the renderer');
    expect((await request({ path: '/link.txt' })).status).toBe(404);
  });

  it('streams events over a WebSocket only with the token', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
    const refusal = await new Promise<string>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      refused.on('open', () => resolve('open'));
      refused.on('error', () => resolve('error'));
    });
    expect(refusal).toBe('401');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const got = new Promise<string>((resolve) => ws.on('message', (m) => resolve(String(m))));
    server.emit('log', { level: 'info', scope: 'test', message: 'hello', time: new Date(0).toISOString() });
    expect(JSON.parse(await got)).toEqual({ event: 'log', payload: { level: 'info', scope: 'test', message: 'hello', time: '1970-01-01T00:00:00.000Z' } });
    ws.close();
  });
});
