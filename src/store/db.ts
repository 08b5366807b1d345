// SPDX-License-Identifier: MIT
import { accessSync, constants as fsConstants, existsSync, mkdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../shared/errors';
import { createLogger } from '../platform/logger';
import { SCHEMA_VERSIONS, type SchemaVersion } from './migrations/index';

export type Db = Database.Database;
const log = createLogger('store');
/** How long opening or migrating waits for another process holding the database's lock. */
const BUSY_WAIT_MS = 5000;

export interface OpenOptions {
  /** Schema versions to apply; tests pass a prefix to stop at an older version. */
  versions?: readonly SchemaVersion[];
  readonly?: boolean;
}

/**
 * Opens (creating if needed) the database, turns on WAL and foreign keys, and migrates it.
 * @throws AppError DB_CORRUPT when the file is not a SQLite database, DB_FROM_FUTURE when it is newer than the app.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      throw openError(file, err);
    }
  }
  let db: Db | undefined;
  try {
    const conn = new Database(file, { readonly: opts.readonly ?? false });
    db = conn;
    // First, so that even switching to WAL waits for another process opening the same file.
    db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    whileBusy(() => conn.pragma('journal_mode = WAL'));
    db.pragma('foreign_keys = ON');
    // WAL with NORMAL is durable across application crashes (SQLite docs); only power loss can lose the last commit.
    db.pragma('synchronous = NORMAL');
  } catch (err) {
    db?.close();
    throw openError(file, err);
  }
  try {
    migrate(db, opts.versions ?? SCHEMA_VERSIONS, file);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Runs `work`, trying again while another connection holds the lock it needs. busy_timeout alone
 * is not enough: when waiting could deadlock (two connections both upgrading a read lock, as two
 * processes switching a fresh file to WAL do) SQLite answers SQLITE_BUSY at once, without waiting.
 * Each try releases its locks, so one of the contenders always gets through.
 */
export function whileBusy<T>(work: () => T, waitMs = BUSY_WAIT_MS): T {
  const deadline = Date.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      // Random back-off so two contenders do not retry in step.
      Atomics.wait(pause, 0, 0, Math.min(200, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
  }
}

function nearestExisting(dir: string): string {
  let d = dir;
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/**
 * Says why a database could not be opened in words that do not mislead: only a file that really
 * is not a database is called corrupt; a full or read-only disk must never suggest moving it aside.
 */
function openError(file: string, err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  const dir = nearestExisting(path.dirname(file));
  const message = (err as Error).message;
  let spaceLeft = Number.POSITIVE_INFINITY;
  try {
    spaceLeft = statfsSync(dir).bavail;
  } catch {
    /* statfs is unavailable on some platforms: judge by the error code alone */
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || ((code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') && spaceLeft === 0)) {
    return new AppError('DISK_FULL', `The disk holding the database ${file} is full (${message}). Free some space; the database itself is unharmed.`, { file }, { cause: err });
  }
  let writable = true;
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch {
    writable = false;
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || (!writable && (code === 'ENOENT' || code === 'SQLITE_CANTOPEN'))) {
    return new AppError('READ_ONLY', `Cannot write the database ${file}: ${dir} is read-only (${message}). Set TRANSFER_STUDIO_HOME to a writable folder.`, { file }, { cause: err });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new AppError('DB_CORRUPT', `${file} is not a Transfer Studio database (${message}). Move it aside and start again to create a new one.`, { file }, { cause: err });
  }
  return new AppError('INTERNAL', `Cannot open the database ${file}: ${message}`, { file }, { cause: err });
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, versions: readonly SchemaVersion[], file = ':memory:'): void {
  for (let i = 1; i < versions.length; i++) {
    if (versions[i].version <= versions[i - 1].version) throw new Error(`Schema versions are not monotonic at ${versions[i].version}`);
  }
  let current: number;
  try {
    current = schemaVersion(db);
  } catch (err) {
    throw new AppError('DB_CORRUPT', `${file} is not a Transfer Studio database (${(err as Error).message}). Move it aside to start a new one.`, { file }, { cause: err });
  }
  const latest = versions.length ? versions[versions.length - 1].version : 0;
  if (current > latest) {
    throw new AppError('DB_FROM_FUTURE', `The database ${file} has schema version ${current}, newer than this app knows (${latest}). Update Transfer Studio.`, { file, current, latest });
  }
  const pending = versions.filter((v) => v.version > current);
  if (!pending.length) return;
  log.info(`sqlite ${db.prepare('select sqlite_version() v').pluck().get()} migrating ${file} from ${current} to ${latest}`);
  for (const v of pending) {
    // One transaction per version: a crash mid-migration leaves the previous version intact.
    // IMMEDIATE takes the write lock up front (waiting on busy_timeout), and the version is read
    // again inside it: two processes starting on a fresh database migrate it once, not twice.
    const step = db.transaction(() => {
      if (schemaVersion(db) >= v.version) return;
      v.update(db);
      db.pragma(`user_version = ${v.version}`);
    });
    whileBusy(() => step.immediate());
  }
  db.pragma('optimize');
}

export function integrityCheck(db: Db): string[] {
  return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
}
