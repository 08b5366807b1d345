// SPDX-License-Identifier: MIT
// A lock file beside the download (`<dest>.lock`, created with O_EXCL, our pid inside), so the
// app, the CLI and a second window never write the same `.part` at once. A lock whose pid is
// dead (a crash, a kill -9) is stale and taken over.
import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';

export interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

export interface FileLock {
  path: string;
  release(): Promise<void>;
}

/** An unreadable or empty lock older than this is treated as stale (its writer died mid-write). */
const EMPTY_LOCK_STALE_MS = 10_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(lockPath: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(lockPath, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** True when the lock's owner is gone (same host, pid dead) or the lock never got written. */
async function isStale(lockPath: string): Promise<boolean> {
  const info = await readLock(lockPath);
  if (info) return info.host === os.hostname() && !pidAlive(info.pid);
  try {
    const s = await stat(lockPath);
    return Date.now() - s.mtimeMs > EMPTY_LOCK_STALE_MS;
  } catch {
    return false; // gone already: the next attempt will find out
  }
}

/** Tries once to create the lock. Returns null when another live process holds it. */
export async function tryLock(lockPath: string): Promise<FileLock | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      try {
        const info: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
        await fh.writeFile(JSON.stringify(info));
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        path: lockPath,
        async release() {
          if (released) return;
          released = true;
          await rm(lockPath, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (attempt === 0 && (await isStale(lockPath))) {
        await rm(lockPath, { force: true });
        continue;
      }
      return null;
    }
  }
  return null;
}

/** Resolves when the lock file is gone (its owner finished or died), polling every `pollMs`. */
export async function waitForUnlock(lockPath: string, signal: AbortSignal | undefined, pollMs = 200): Promise<void> {
  for (;;) {
    if (signal?.aborted) throw Object.assign(new Error('The download was cancelled.'), { name: 'AbortError' });
    try {
      await stat(lockPath);
    } catch {
      return;
    }
    if (await isStale(lockPath)) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, pollMs);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
