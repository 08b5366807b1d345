// SPDX-License-Identifier: MIT
// Small tmpfs mounts for full-disk and read-only tests. Mounting needs root (or CAP_SYS_ADMIN);
// where it is not permitted the tests that need it are skipped with the reason printed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Mount {
  dir: string;
  /** Remounts with a new size or read-only flag (keeps the contents). */
  remount(opts: string): void;
  unmount(): void;
}

/** Mounts a tmpfs at `dir` (created). Returns a reason string when mounting is not permitted here. */
export function mountTmpfs(dir: string, opts: string): Mount | string {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `cannot mount a tmpfs here (${(r.error?.message ?? r.stderr).trim()}); run as root to include the full-disk and read-only tests`;
  return {
    dir,
    remount(o: string) {
      const rr = spawnSync('mount', ['-o', `remount,${o}`, dir], { encoding: 'utf8' });
      if (rr.status !== 0) throw new Error(`remount ${dir} failed: ${rr.stderr}`);
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
    },
  };
}

/** Fills the file system holding `dir` until about `leave` bytes are free. */
export function fill(dir: string, leave: number): string {
  const s = statfsSync(dir);
  const free = s.bavail * s.bsize;
  const filler = path.join(dir, `filler-${Date.now()}`);
  writeFileSync(filler, Buffer.alloc(Math.max(0, free - leave)));
  return filler;
}
