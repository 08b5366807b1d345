// SPDX-License-Identifier: MIT
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { diffScans, scanDataset } from './scan';
import { AppError } from '../../shared/errors';
import {
  AWKWARD_NAMES,
  encodeRgb,
  markedRgb,
  writeBadFiles,
  writeTinyDataset,
  type BadFile,
} from '../../../test/fixtures/images';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scan-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

describe('scanDataset', () => {
  let root: string;
  let bad: BadFile[];
  beforeAll(async () => {
    root = join(dir, 'classes');
    await writeTinyDataset(root, { counts: { red: 3, green: 2 }, format: 'png' });
    await writeTinyDataset(root, { counts: { blue: 1 }, format: 'jpeg' });
    await writeTinyDataset(join(root, 'blue'), { counts: { nested: 1 }, format: 'webp' });
    for (const [i, f] of (['gif', 'tiff', 'bmp'] as const).entries()) {
      await writeFile(join(root, 'blue', `more${i}.${f}`), await encodeRgb(markedRgb(6, 4, [30, 40, 210], 10 + i), 6, 4, f));
    }
    for (const [i, name] of AWKWARD_NAMES.entries()) {
      await writeFile(join(root, 'green', name), await encodeRgb(markedRgb(8, 8, [20, 200, 40], 20 + i), 8, 8, 'png'));
    }
    bad = await writeBadFiles(root, 'red');
    // A link to a file inside the root is followed; it duplicates its target.
    await symlink('0.png', join(root, 'green', 'link-to-0.png'));
  });

  it('finds every good image with class, size, hash and dimensions', async () => {
    const r = await scanDataset(root);
    expect(r.layout).toBe('classes');
    expect(r.classes).toEqual(['blue', 'green', 'red']);
    expect(r.classCounts).toEqual({ blue: 5, green: 3 + AWKWARD_NAMES.length, red: 3 });
    expect(r.duplicates).toEqual([
      expect.objectContaining({ paths: ['green/0.png', 'green/link-to-0.png'], crossClass: false }),
    ]);
    const nested = r.images.find((i) => i.path === 'blue/nested/0.webp');
    expect(nested).toMatchObject({ className: 'blue', format: 'webp', width: 8, height: 8 });
    const bmp = r.images.find((i) => i.path === 'blue/more2.bmp')!;
    expect(bmp).toMatchObject({ format: 'bmp', width: 6, height: 4 });
    expect(bmp.sha256).toBe(await sha(join(root, 'blue/more2.bmp')));
    expect(bmp.bytes).toBe((await stat(join(root, 'blue/more2.bmp'))).size);
    for (const name of AWKWARD_NAMES) expect(r.images.map((i) => i.path)).toContain(`green/${name}`);
    expect(r.images.map((i) => i.path)).toEqual([...r.images.map((i) => i.path)].sort());
  });

  it('lists each bad file with a reason a user can act on, and nothing else', async () => {
    const r = await scanDataset(root);
    const got = Object.fromEntries(r.skipped.map((s) => [s.path, s]));
    for (const b of bad) {
      expect(got[b.path], b.path).toBeDefined();
      expect(got[b.path].code, b.path).toBe(b.code);
      expect(got[b.path].reason, b.path).toMatch(b.reason);
    }
    expect(r.skipped.map((s) => s.path).sort()).toEqual(bad.map((b) => b.path).sort());
  });

  it('applies the pixel limit given', async () => {
    const r = await scanDataset(root, { maxPixels: 60 });
    const big = r.skipped.find((s) => s.path === 'red/0.png');
    expect(big?.code).toBe('TOO_LARGE');
    expect(big?.reason).toMatch(/8 × 8 pixels/);
    expect(r.images.every((i) => i.width * i.height <= 60)).toBe(true);
  });

  it('rejects a missing root and a file given as root, and honours cancellation', async () => {
    await expect(scanDataset(join(dir, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(scanDataset(join(root, 'red', '0.png'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const ac = new AbortController();
    ac.abort();
    const err = await scanDataset(root, { signal: ac.signal }).catch((e: unknown) => e);
    expect(AppError.is(err, 'CANCELLED')).toBe(true);
  });
});

describe('layouts, duplicates and rescans', () => {
  it('reads the user’s own train/val/test folders', async () => {
    const root = join(dir, 'splits');
    await writeTinyDataset(root, { counts: { cat: 3, dog: 2 }, under: 'train' });
    await writeTinyDataset(root, { counts: { cat: 1, dog: 1 }, under: 'val' });
    await writeTinyDataset(root, { counts: { cat: 1 }, under: 'test' });
    await writeFile(join(root, 'train', 'loose.png'), await encodeRgb(markedRgb(4, 4, [1, 2, 3], 0), 4, 4, 'png'));
    const r = await scanDataset(root);
    expect(r.layout).toBe('splits');
    expect(r.classes).toEqual(['cat', 'dog']);
    const bySplit = (s: string) => r.images.filter((i) => i.split === s).length;
    expect([bySplit('train'), bySplit('validation'), bySplit('test')]).toEqual([5, 2, 1]);
    expect(r.skipped).toEqual([expect.objectContaining({ path: 'train/loose.png', code: 'OUTSIDE_CLASS' })]);
    const forced = await scanDataset(root, { layout: 'classes' });
    expect(forced.classes).toEqual(['test', 'train', 'val']);
  });

  it('reports identical files, flagging those labelled with two classes', async () => {
    const root = join(dir, 'dups');
    await writeTinyDataset(root, { counts: { a: 2, b: 2 } });
    await copyFile(join(root, 'a/0.png'), join(root, 'b/copy-of-a0.png'));
    await copyFile(join(root, 'a/1.png'), join(root, 'a/again.png'));
    const r = await scanDataset(root);
    expect(r.duplicates).toHaveLength(2);
    expect(r.duplicates[0]).toMatchObject({ paths: ['a/0.png', 'b/copy-of-a0.png'], classes: ['a', 'b'], crossClass: true });
    expect(r.duplicates[1]).toMatchObject({ paths: ['a/1.png', 'a/again.png'], classes: ['a'], crossClass: false });
  });

  it('diffs a rescan into added, removed and changed; reuses records whose size and mtime match', async () => {
    const root = join(dir, 'rescan');
    await writeTinyDataset(root, { counts: { a: 3 }, format: 'bmp' });
    // Whole seconds, so utimes can restore the mtime exactly later.
    const when = new Date('2024-01-02T03:04:05Z');
    for (const n of ['0', '1', '2']) await utimes(join(root, `a/${n}.bmp`), when, when);
    const first = await scanDataset(root);
    await rm(join(root, 'a/0.bmp'));
    await writeFile(join(root, 'a/new.bmp'), await encodeRgb(markedRgb(8, 8, [9, 9, 9], 1), 8, 8, 'bmp'));
    // Same size, new bytes, old mtime: only a rehash notices.
    const p1 = join(root, 'a/1.bmp');
    const bytes = await readFile(p1);
    const other = await readFile(join(root, 'a/2.bmp'));
    expect(other.length).toBe(bytes.length);
    await writeFile(p1, other);
    await utimes(p1, when, when);
    const reused = await scanDataset(root, { previous: first.images });
    expect(diffScans(first, reused)).toMatchObject({ changed: [], unchanged: 2 });
    const second = await scanDataset(root, { previous: first.images, rehash: true });
    const d = diffScans(first, second);
    expect(d.added.map((i) => i.path)).toEqual(['a/new.bmp']);
    expect(d.removed.map((i) => i.path)).toEqual(['a/0.bmp']);
    expect(d.changed.map((c) => c.after.path)).toEqual(['a/1.bmp']);
    expect(d.changed[0].after.sha256).toBe(second.images.find((i) => i.path === 'a/2.bmp')!.sha256);
    expect(d.unchanged).toBe(1);
  });

  it('reports unreadable files and folders (permission denied)', async () => {
    const root = join(dir, 'perm');
    await writeTinyDataset(root, { counts: { a: 2, b: 1 } });
    await chmod(dir, 0o755);
    await chmod(join(root, 'a/1.png'), 0o000);
    await chmod(join(root, 'b'), 0o000);
    let result: { skipped: { path: string; code: string; reason: string }[]; images: unknown[] };
    if (process.getuid?.() === 0) {
      // Root reads everything, so scan as the unprivileged `nobody` user in a child process.
      const script = join(dir, 'scan-as-nobody.mjs');
      const scanTs = fileURLToPath(new URL('./scan.ts', import.meta.url));
      await writeFile(
        script,
        `const { scanDataset } = await import(${JSON.stringify(scanTs)});\n` +
          `process.stdout.write(JSON.stringify(await scanDataset(${JSON.stringify(root)})));\n`,
      );
      await chmod(script, 0o644);
      const cwd = fileURLToPath(new URL('../../..', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
        cwd,
        uid: 65534,
        gid: 65534,
        env: { ...process.env, HOME: tmpdir() },
      });
      result = JSON.parse(stdout);
    } else {
      result = await scanDataset(root);
    }
    await chmod(join(root, 'b'), 0o755);
    expect(result.images).toHaveLength(1);
    expect(result.skipped).toEqual([
      { path: 'a/1.png', code: 'UNREADABLE', reason: expect.stringMatching(/Permission denied/) },
      { path: 'b', code: 'UNREADABLE', reason: expect.stringMatching(/permission denied/) },
    ]);
  });
});

describe('scan of an empty folder', () => {
  it('returns no classes and no error', async () => {
    const root = join(dir, 'empty');
    await mkdir(root);
    const r = await scanDataset(root);
    expect([r.images.length, r.classes.length, r.skipped.length]).toEqual([0, 0, 0]);
  });
});
