// SPDX-License-Identifier: MIT
// SIGKILL in the middle of work, in real child processes, then a restart: SQLite's crash guarantee
// for a migration (the database is the previous version, intact, and migrates again), and a weights
// download that leaves only a `.part` which the next download continues with a Range request.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { integrityCheck, openDatabase, schemaVersion } from '../../src/store/db';
import { LATEST_SCHEMA_VERSION, SCHEMA_VERSIONS } from '../../src/store/migrations/index';
import { listProjects } from '../../src/store/repos/projects';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bin = path.join(repo, 'bin', 'transfer-studio.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-kill-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function until(what: string, cond: () => boolean, child: ChildProcess, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (child.exitCode !== null) throw new Error(`the child exited (${child.exitCode}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function killed(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (_code, signal) => resolve(signal));
  });
}

describe('SIGKILL during a database migration', () => {
  it('leaves the previous schema version with every committed row; the next start migrates it', async () => {
    const file = path.join(tmp, 'migrate', 'transfer-studio.db');
    const marker = path.join(tmp, 'migrate.marker');
    const rows = 300;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'hang-in-migration.ts'), file, marker, String(rows)], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('the migration to block', () => existsSync(marker), child).catch((err: Error) => {
      throw new Error(`${err.message}\n${stderr}`);
    });
    // The uncommitted migration wrote megabytes: they are in the WAL, not committed.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);
    child.kill('SIGKILL');
    expect(await killed(child)).toBe('SIGKILL');

    // Opened raw, without migrating: SQLite rolled the half-done transaction back.
    const raw = new Database(file);
    try {
      expect(integrityCheck(raw)).toEqual(['ok']);
      expect(schemaVersion(raw)).toBe(SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 2].version);
      expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'filler'").pluck().get()).toBe(0);
      expect(raw.prepare("SELECT count(*) FROM projects WHERE name LIKE '%half-migrated%'").pluck().get()).toBe(0);
    } finally {
      raw.close();
    }
    // The app's next start migrates again and keeps every row.
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      expect(integrityCheck(db)).toEqual(['ok']);
      const projects = listProjects(db);
      expect(projects).toHaveLength(rows);
      expect(new Set(projects.map((p) => p.name)).size).toBe(rows);
      expect(projects.every((p) => /^project \d+$/.test(p.name))).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('SIGKILL during a weights download (transfer-studio weights download)', () => {
  const MNV2_NOTOP = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5';
  const body = randomBytes(4 * 1024 * 1024);
  const ranges: (string | undefined)[] = [];
  let sent = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== `/${MNV2_NOTOP}`) {
      res.writeHead(404);
      return res.end();
    }
    ranges.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      return res.end(body.subarray(start));
    }
    // The first transfer trickles (64 KiB every 50 ms) so the kill lands in the middle of it.
    res.writeHead(200, { 'content-length': body.length });
    let off = 0;
    const timer = setInterval(() => {
      if (res.destroyed || off >= body.length) return clearInterval(timer);
      res.write(body.subarray(off, off + 65536));
      off += 65536;
      sent = off;
    }, 50);
    res.on('close', () => clearInterval(timer));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('leaves no file under Keras’s name, only a .part that the next download resumes', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const keras = path.join(tmp, 'keras');
    const cache = path.join(keras, 'models');
    const env = { ...process.env, TRANSFER_STUDIO_HOME: path.join(tmp, 'dl-home'), KERAS_HOME: keras, TRANSFER_STUDIO_TEST_ALLOW_HTTP: '1', TRANSFER_STUDIO_TEST_WEIGHTS_URL: base };
    const part = path.join(cache, `${MNV2_NOTOP}.part`);
    const child = spawn(process.execPath, [bin, 'weights', 'download', 'MobileNetV2', '--json'], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    await until('half the file to arrive', () => existsSync(part) && statSync(part).size > 1_000_000, child);
    child.kill('SIGKILL');
    expect(await killed(child)).toBe('SIGKILL');
    const kept = statSync(part).size;
    expect(kept).toBeLessThan(body.length);
    expect(sent).toBeLessThan(body.length);
    // Nothing under the final name: Keras and the app never see half a file.
    expect(readdirSync(cache).filter((f) => !f.endsWith('.part') && !f.endsWith('.lock'))).toEqual([]);

    // The dead process's lock is stale (its pid is gone) and is taken over.
    const again = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, [bin, 'weights', 'download', 'MobileNetV2', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('close', (code) => resolve({ code, out, err }));
    });
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ bytes: body.length, resumed: true, cached: false });
    expect(ranges).toEqual([undefined, `bytes=${kept}-`]);
    expect(readFileSync(path.join(cache, MNV2_NOTOP)).equals(body)).toBe(true);
    expect(readdirSync(cache)).toEqual([MNV2_NOTOP]);
  });
});
