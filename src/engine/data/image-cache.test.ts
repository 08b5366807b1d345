// SPDX-License-Identifier: MIT
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearImageCache, imageCacheInfo, imageCacheKey, pruneImageCache, readCachedImage, writeCachedImage } from './image-cache';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'image-cache-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function image(width: number, height: number, seed: number) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed) & 255;
  return { data, width, height };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const SHA = 'ab'.repeat(32);

describe('image cache', () => {
  it('reads back the pixels it wrote, keyed by content and settings', async () => {
    const dir = tmp();
    const k = imageCacheKey(SHA, { width: 224, height: 224 });
    expect(k).not.toBe(imageCacheKey(SHA, { width: 160, height: 160 }));
    expect(k).not.toBe(imageCacheKey(SHA, { width: 224, height: 224, applyExifOrientation: false }));
    expect(k).not.toBe(imageCacheKey(SHA, { width: 224, height: 224, cropToAspectRatio: true }));
    const img = image(7, 5, 3);
    expect(await writeCachedImage(dir, k, img)).toBe(16 + 7 * 5 * 3);
    const back = await readCachedImage(dir, k);
    expect(back).toMatchObject({ width: 7, height: 5 });
    expect(Array.from(back!.data)).toEqual(Array.from(img.data));
    expect(await readCachedImage(dir, imageCacheKey(SHA, { width: 1, height: 1 }))).toBeNull();
    expect(imageCacheInfo(dir)).toEqual({ dir, entries: 1, bytes: 16 + 105, partial: 0 });
  });

  it('refuses and deletes an entry that is not whole', async () => {
    const dir = tmp();
    const k = imageCacheKey(SHA, { width: 8, height: 8 });
    await writeCachedImage(dir, k, image(8, 8, 1));
    const [file] = files(dir);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    expect(await readCachedImage(dir, k)).toBeNull();
    expect(files(dir)).toEqual([]);
  });

  it('evicts the least recently used entries above the bound; a hit counts as a use', async () => {
    const dir = tmp();
    const keys = ['a', 'b', 'c'].map((c) => imageCacheKey(c.repeat(64), { width: 10, height: 10 }));
    for (const [i, k] of keys.entries()) await writeCachedImage(dir, k, image(10, 10, i));
    const entry = 16 + 300;
    // Ages: a oldest, then b, then c; reading a makes it the newest.
    files(dir).forEach((f) => {
      const i = keys.findIndex((k) => f.includes(k));
      const t = new Date(Date.now() - (3 - i) * 3600_000);
      utimesSync(f, t, t);
    });
    expect(await readCachedImage(dir, keys[0])).not.toBeNull();
    expect(pruneImageCache(dir, 2 * entry)).toEqual({ removed: 1, bytes: 2 * entry });
    expect(await readCachedImage(dir, keys[1])).toBeNull();
    expect(await readCachedImage(dir, keys[0])).not.toBeNull();
    expect(await readCachedImage(dir, keys[2])).not.toBeNull();
  });

  it('prunes leftovers of dead writers older than a minute, and clear empties it', async () => {
    const dir = tmp();
    const k = imageCacheKey(SHA, { width: 4, height: 4 });
    await writeCachedImage(dir, k, image(4, 4, 0));
    const sub = path.dirname(files(dir)[0]);
    const old = path.join(sub, `${k}.rgb.tmp-1-0-dead`);
    const fresh = path.join(sub, `${k}.rgb.tmp-2-0-live`);
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'y');
    const t = new Date(Date.now() - 120_000);
    utimesSync(old, t, t);
    expect(imageCacheInfo(dir).partial).toBe(2);
    pruneImageCache(dir, 1 << 30);
    expect(files(dir).map((f) => path.basename(f)).sort()).toEqual([`${k}.rgb`, path.basename(fresh)].sort());
    expect(clearImageCache(dir)).toEqual({ removed: 2, bytes: 16 + 48 });
    expect(imageCacheInfo(dir)).toEqual({ dir, entries: 0, bytes: 0, partial: 0 });
  });

  it('a writer killed with SIGKILL mid-write leaves only whole entries', async () => {
    const dir = tmp();
    const [w, h] = [4000, 3000];
    const whole = 16 + w * h * 3;
    // A real child process writes 36 MB entries in a loop; the parent watches the folder and kills
    // it with SIGKILL the moment a file of the cache is on disk but not yet whole.
    const mod = new URL('./image-cache.ts', import.meta.url).href;
    const script = `
      const { imageCacheKey, writeCachedImage } = await import(${JSON.stringify(mod)});
      const data = new Uint8Array(${w * h * 3}).fill(7);
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        const key = imageCacheKey(String(i % 10).repeat(64), { width: 224, height: 224 });
        await writeCachedImage(${JSON.stringify(dir)}, key, { data, width: ${w}, height: ${h} });
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    let caught: string | undefined;
    const until = Date.now() + 20_000;
    // A synchronous loop: the parent does nothing else, so it sees the short window of a write.
    while (!caught && Date.now() < until) {
      for (const f of files(dir)) {
        const size = statSync(f, { throwIfNoEntry: false })?.size ?? 0;
        if (size > 0 && size < whole) {
          child.kill('SIGKILL');
          caught = f;
          break;
        }
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(caught, 'never saw a write in progress').toBeDefined();
    const all = files(dir);
    const entries = all.filter((f) => f.endsWith('.rgb'));
    for (const f of entries) expect(statSync(f).size).toBe(whole);
    // The half-written file is a temp file, and it is still there: the kill did land mid-write.
    expect(path.basename(caught!)).toMatch(/\.rgb\.tmp-/);
    expect(all.filter((f) => !f.endsWith('.rgb')).every((f) => /\.rgb\.tmp-/.test(path.basename(f)))).toBe(true);
    const info = imageCacheInfo(dir);
    expect(info.entries).toBe(entries.length);
    expect(info.partial).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 10; i++) {
      const back = await readCachedImage(dir, imageCacheKey(String(i).repeat(64), { width: 224, height: 224 }));
      if (back) expect(back.width * back.height === w * h && back.data.every((v) => v === 7)).toBe(true);
    }
  });
});
