// SPDX-License-Identifier: MIT
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors';
import Database from 'better-sqlite3';
import { integrityCheck, openDatabase, schemaVersion, whileBusy } from './db';
import { LATEST_SCHEMA_VERSION, SCHEMA_VERSIONS } from './migrations/index';
import { createProject, listProjects } from './repos/projects';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ts-db-'));

describe('database', () => {
  it('creates every domain table with WAL and foreign keys on', () => {
    const db = openDatabase(path.join(tmp(), 'a.db'));
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").pluck().all();
    for (const t of ['projects', 'datasets', 'images', 'runs', 'epoch_metrics', 'models', 'exports', 'jobs', 'classification_results']) {
      expect(tables).toContain(t);
    }
    expect(integrityCheck(db)).toEqual(['ok']);
    db.close();
  });

  it('migrates an existing database to a newer schema without losing rows', () => {
    const file = path.join(tmp(), 'b.db');
    const v1 = openDatabase(file);
    createProject(v1, 'Birds');
    createProject(v1, 'Leaves');
    v1.close();
    // A later release adds a column; the rows written by the older app must survive it.
    const next = [
      ...SCHEMA_VERSIONS,
      { version: LATEST_SCHEMA_VERSION + 10, update: (db: import('better-sqlite3').Database) => db.exec("ALTER TABLE projects ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue'") },
    ];
    const v2 = openDatabase(file, { versions: next });
    expect(schemaVersion(v2)).toBe(LATEST_SCHEMA_VERSION + 10);
    expect(listProjects(v2).map((p) => p.name).sort()).toEqual(['Birds', 'Leaves']);
    expect(v2.prepare('SELECT DISTINCT colour FROM projects').pluck().all()).toEqual(['blue']);
    v2.close();
    // And the older app refuses the newer file instead of corrupting it.
    expect(() => openDatabase(file)).toThrowError(expect.objectContaining({ code: 'DB_FROM_FUTURE' }) as Error);
  });

  it('a failing migration leaves the previous version intact', () => {
    const file = path.join(tmp(), 'c.db');
    openDatabase(file).close();
    const broken = [
      ...SCHEMA_VERSIONS,
      {
        version: LATEST_SCHEMA_VERSION + 10,
        update: (db: import('better-sqlite3').Database) => {
          db.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('power cut');
        },
      },
    ];
    expect(() => openDatabase(file, { versions: broken })).toThrow('power cut');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name='half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('names the file when it is not a SQLite database', () => {
    const file = path.join(tmp(), 'not-a-db.db');
    writeFileSync(file, 'this is a text file, not SQLite '.repeat(100));
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('DB_CORRUPT');
    expect((caught as AppError).message).toContain(file);
  });
});

describe('concurrent start-up', () => {
  it('two processes opening a fresh database at once both succeed and migrate it once', async () => {
    const { spawn } = await import('node:child_process');
    const file = path.join(tmp(), 'shared.db');
    const script = `import('${path.resolve('src/store/db.ts').replace(/\\\\/g, '/')}').then(({ openDatabase }) => { openDatabase(process.argv[1]).close(); console.log('ok'); })`;
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    for (const r of results) expect(r, r.out).toMatchObject({ code: 0 });
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(integrityCheck(db)).toEqual(['ok']);
    db.close();
  });
});

describe('whileBusy', () => {
  // busy_timeout = 0 stands for the case SQLite refuses to wait in (a possible deadlock):
  // the lock is really held by another thread, and only trying again gets through.
  it('gets through a lock another thread holds without SQLite waiting, and gives up after its deadline', async () => {
    const { Worker } = await import('node:worker_threads');
    const file = path.join(tmp(), 'locked.db');
    new Database(file).exec('create table t (x)').close();
    const holder = new Worker(
      `const { parentPort, workerData } = require('worker_threads');
       const db = require(workerData.sqlite)(workerData.file);
       db.exec('begin exclusive');
       parentPort.postMessage('locked');
       setTimeout(() => { db.exec('commit'); db.close(); parentPort.postMessage('released'); }, workerData.holdMs);`,
      { eval: true, workerData: { file, holdMs: 400, sqlite: require.resolve('better-sqlite3') } },
    );
    await new Promise((resolve) => holder.once('message', resolve));
    const db = new Database(file, { timeout: 0 });
    expect(() => db.pragma('journal_mode = WAL')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    expect(() => whileBusy(() => db.pragma('journal_mode = WAL'), 50)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    const started = Date.now();
    // Atomics.wait blocks this thread, not the worker, so the holder's timer still fires.
    expect(whileBusy(() => db.pragma('journal_mode = WAL', { simple: true }), 5000)).toBe('wal');
    expect(Date.now() - started).toBeGreaterThan(100);
    db.close();
    await holder.terminate();
  });

  it('passes any other error straight through', () => {
    let calls = 0;
    const refuse = () => {
      calls++;
      throw Object.assign(new Error('no such table: t'), { code: 'SQLITE_ERROR' });
    };
    expect(() => whileBusy(refuse)).toThrow('no such table');
    expect(calls).toBe(1);
  });
});
