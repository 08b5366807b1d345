// SPDX-License-Identifier: MIT
// Against a real HTTP server on 127.0.0.1 (and a real CONNECT proxy): no mocks.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, type DownloadProgress } from './download';
import { bypassesProxy, proxyFor } from './proxy';
import { rejection } from '../../../test/fixtures/rejection';

const FILE = randomBytes(3 * 1024 * 1024 + 17);
const MD5 = createHash('md5').update(FILE).digest('hex');
const SHA256 = createHash('sha256').update(FILE).digest('hex');

interface Seen {
  path: string;
  range?: string;
}
let server: http.Server;
let base: string;
let seen: Seen[] = [];
let dropOnce = true;

function sendRange(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    res.end(body.subarray(start));
  } else {
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  }
}

function slowSend(res: http.ServerResponse, body: Buffer, chunk: number, everyMs: number): void {
  res.writeHead(200, { 'content-length': body.length });
  let off = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(body.subarray(off, off + chunk));
    off += chunk;
    if (off >= body.length) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const p = req.url ?? '';
    seen.push({ path: p, range: req.headers.range });
    if (p === '/file.bin') return sendRange(req, res, FILE);
    if (p === '/drop.bin') {
      if (dropOnce && !req.headers.range) {
        dropOnce = false;
        res.writeHead(200, { 'content-length': FILE.length });
        res.write(FILE.subarray(0, 1_000_000), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      return sendRange(req, res, FILE);
    }
    if (p === '/norange.bin') {
      res.writeHead(200, { 'content-length': FILE.length });
      return res.end(FILE);
    }
    if (p === '/slow.bin') return slowSend(res, FILE, 64 * 1024, 40);
    if (p === '/moved.bin') {
      res.writeHead(302, { location: '/file.bin' });
      return res.end();
    }
    if (p === '/500') {
      res.writeHead(500);
      return res.end('boom');
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ts-dl-'));
  seen = [];
});

const local = { allowLocalHttp: true, env: {} };

describe('downloadFile', () => {
  it('downloads the whole file, verifies md5 and reports progress', async () => {
    const dest = path.join(dir, 'w.h5');
    const progress: DownloadProgress[] = [];
    const r = await downloadFile({ ...local, url: `${base}/file.bin`, dest, expectedHash: MD5, onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ bytes: FILE.length, hash: MD5, algorithm: 'md5', cached: false, waited: false, resumed: false });
    expect(readFileSync(dest).equals(FILE)).toBe(true);
    expect(readdirSync(dir)).toEqual(['w.h5']);
    const last = progress.at(-1)!;
    expect(last.bytes).toBe(FILE.length);
    expect(last.total).toBe(FILE.length);
    expect(last.rate).toBeGreaterThan(0);
    expect(last.etaSeconds).toBe(0);
    // A second call finds the verified file and transfers nothing.
    seen = [];
    const again = await downloadFile({ ...local, url: `${base}/file.bin`, dest, expectedHash: SHA256 });
    expect(again).toMatchObject({ cached: true, algorithm: 'sha256', hash: SHA256 });
    expect(seen).toEqual([]);
  });

  it('resumes an interrupted transfer from the .part with a Range request', async () => {
    dropOnce = true;
    const dest = path.join(dir, 'w.h5');
    const err = await rejection(downloadFile({ ...local, url: `${base}/drop.bin`, dest, expectedHash: MD5, retries: 0 }));
    expect(err.code).toBe('DOWNLOAD_FAILED');
    expect(err.message).toContain(`copy w.h5 from ${base}/drop.bin into ${dir}`);
    expect(existsSync(dest)).toBe(false);
    const partBytes = statSync(`${dest}.part`).size;
    expect(partBytes).toBeGreaterThanOrEqual(1_000_000);
    expect(partBytes).toBeLessThan(FILE.length);

    const r = await downloadFile({ ...local, url: `${base}/drop.bin`, dest, expectedHash: MD5 });
    expect(r.resumed).toBe(true);
    expect(seen.at(-1)).toEqual({ path: '/drop.bin', range: `bytes=${partBytes}-` });
    expect(readFileSync(dest).equals(FILE)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('retries by itself after a dropped connection', async () => {
    dropOnce = true;
    const dest = path.join(dir, 'w.h5');
    const r = await downloadFile({ ...local, url: `${base}/drop.bin`, dest, expectedHash: MD5 });
    expect(r.resumed).toBe(true);
    expect(seen.map((s) => s.range ?? null)).toEqual([null, expect.stringMatching(/^bytes=\d+-$/)]);
    expect(readFileSync(dest).equals(FILE)).toBe(true);
  });

  it('follows a redirect', async () => {
    const dest = path.join(dir, 'w.h5');
    const r = await downloadFile({ ...local, url: `${base}/moved.bin`, dest, expectedHash: MD5 });
    expect(r.hash).toBe(MD5);
    expect(seen.map((s) => s.path)).toEqual(['/moved.bin', '/file.bin']);
  });

  it('restarts from zero when the server ignores Range and answers 200', async () => {
    const dest = path.join(dir, 'w.h5');
    writeFileSync(`${dest}.part`, Buffer.from('garbage that is not the start of the file'));
    const r = await downloadFile({ ...local, url: `${base}/norange.bin`, dest, expectedHash: MD5 });
    expect(seen[0].range).toBe('bytes=41-');
    expect(r.resumed).toBe(false);
    expect(readFileSync(dest).equals(FILE)).toBe(true);
  });

  it('rejects a wrong hash with WEIGHTS_CORRUPT and leaves neither file nor .part', async () => {
    const dest = path.join(dir, 'w.h5');
    const err = await rejection(downloadFile({ ...local, url: `${base}/file.bin`, dest, expectedHash: '0'.repeat(32) }));
    expect(err.code).toBe('WEIGHTS_CORRUPT');
    expect(err.message).toContain(MD5);
    expect(err.message).toContain('w.h5');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with DOWNLOAD_FAILED on HTTP 500, naming the URL and the manual fix', async () => {
    const dest = path.join(dir, 'w.h5');
    const err = await rejection(downloadFile({ ...local, url: `${base}/500`, dest }));
    expect(err.code).toBe('DOWNLOAD_FAILED');
    expect(err.message).toContain('HTTP 500');
    expect(err.message).toContain(`copy w.h5 from ${base}/500 into ${dir}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('cancels a slow download, keeping only the .part', async () => {
    const dest = path.join(dir, 'w.h5');
    const ac = new AbortController();
    const p = downloadFile({ ...local, url: `${base}/slow.bin`, dest, signal: ac.signal, onProgress: (x) => x.bytes > 200_000 && ac.abort() });
    const err = await rejection(p);
    expect(err.code).toBe('DOWNLOAD_CANCELLED');
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir)).toEqual(['w.h5.part']);
    expect(statSync(`${dest}.part`).size).toBeLessThan(FILE.length);
  });

  it('runs one transfer for two concurrent downloads of the same file', async () => {
    const dest = path.join(dir, 'w.h5');
    const opts = { ...local, url: `${base}/slow.bin`, dest, expectedHash: MD5, lockPollMs: 50 };
    const [a, b] = await Promise.all([downloadFile(opts), downloadFile(opts)]);
    expect(seen.filter((s) => s.path === '/slow.bin')).toHaveLength(1);
    expect([a.waited, b.waited].sort()).toEqual([false, true]);
    expect(a.hash).toBe(MD5);
    expect(b.hash).toBe(MD5);
    expect(readFileSync(dest).equals(FILE)).toBe(true);
    expect(readdirSync(dir)).toEqual(['w.h5']);
  });

  it('takes over a stale lock whose process is dead', async () => {
    const dest = path.join(dir, 'w.h5');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${dest}.lock`, JSON.stringify({ pid: deadPid, host: os.hostname(), since: new Date().toISOString() }));
    const r = await downloadFile({ ...local, url: `${base}/file.bin`, dest, expectedHash: MD5 });
    expect(r.waited).toBe(false);
    expect(readdirSync(dir)).toEqual(['w.h5']);
  });

  it('reports READ_ONLY for a cache folder it cannot write', async () => {
    const ro = path.join(dir, 'ro');
    rmSync(ro, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(ro));
    chmodSync(ro, 0o555);
    let target = ro;
    try {
      writeFileSync(path.join(ro, 'probe'), '');
      // root ignores mode bits; /sys/fs is a real read-only folder on Linux.
      rmSync(path.join(ro, 'probe'));
      target = '/sys/fs';
    } catch {
      /* not root: the chmod holds */
    }
    if (target === '/sys/fs' && !existsSync('/sys/fs')) return;
    const dest = path.join(target, 'ts-weights-test.h5');
    const err = await rejection(downloadFile({ ...local, url: `${base}/file.bin`, dest, expectedHash: MD5 }));
    expect(err.code).toBe('READ_ONLY');
    expect(err.message).toContain(target);
    expect(existsSync(dest)).toBe(false);
    chmodSync(ro, 0o755);
  });

  it('refuses URLs outside the Keras list unless local http is allowed', async () => {
    const dest = path.join(dir, 'w.h5');
    const err = await rejection(downloadFile({ url: `${base}/file.bin`, dest }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    const err2 = await rejection(downloadFile({ url: 'https://example.com/evil.h5', dest }));
    expect(err2.code).toBe('INVALID_ARGUMENT');
  });
});

describe('proxy', () => {
  it('tunnels through HTTP_PROXY with CONNECT', async () => {
    const connects: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req, client, head) => {
      connects.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const dest = path.join(dir, 'w.h5');
      const r = await downloadFile({ allowLocalHttp: true, url: `${base}/file.bin`, dest, expectedHash: MD5, env: { HTTP_PROXY: proxyUrl } });
      expect(r.hash).toBe(MD5);
      expect(connects).toEqual([new URL(base).host]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('follows NO_PROXY and prefers HTTPS_PROXY for https', () => {
    const u = new URL('https://storage.googleapis.com/x.h5');
    expect(proxyFor(u, { HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'http://q:1' })?.host).toBe('p:3128');
    expect(proxyFor(u, { http_proxy: 'q:8080' })?.href).toBe('http://q:8080/');
    expect(proxyFor(u, {})).toBeNull();
    expect(bypassesProxy(u, { NO_PROXY: 'localhost,.googleapis.com' })).toBe(true);
    expect(bypassesProxy(u, { no_proxy: 'googleapis.com:443' })).toBe(true);
    expect(bypassesProxy(u, { no_proxy: 'googleapis.com:80' })).toBe(false);
    expect(bypassesProxy(u, { no_proxy: 'apis.com' })).toBe(false);
    expect(bypassesProxy(u, { no_proxy: '*' })).toBe(true);
  });
});
