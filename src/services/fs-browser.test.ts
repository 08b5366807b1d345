// SPDX-License-Identifier: MIT
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors';
import { fsHandlers, listFolder, thumbnails } from './fs-browser';
import type { ServiceContext } from './context';
import sharp from 'sharp';

function tree() {
  const top = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fs-browser-')));
  const home = path.join(top, 'home');
  const outside = path.join(top, 'outside');
  for (const d of ['photos/red', 'photos/blue', 'photos/.hidden', 'empty']) mkdirSync(path.join(home, d), { recursive: true });
  mkdirSync(path.join(outside, 'secret'), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(path.join(home, 'photos/red', `${i}.png`), 'x');
  writeFileSync(path.join(home, 'photos/blue', 'a.JPG'), 'x');
  writeFileSync(path.join(home, 'photos/blue', 'notes.txt'), 'x');
  writeFileSync(path.join(home, 'photos', 'top.webp'), 'x');
  symlinkSync(outside, path.join(home, 'escape'));
  symlinkSync(path.join(home, 'photos/red'), path.join(home, 'reds'));
  return { top, home, outside };
}

async function refused(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return (err as AppError).code;
}

describe('listFolder', () => {
  it('lists sub-folders with their image counts, hides dot folders and starts at home', async () => {
    const { home } = tree();
    const top = await listFolder(undefined, { home, allowed: [] });
    expect(top.path).toBe(home);
    expect(top.parent).toBeNull();
    // The link out of home is not listed; the link inside home is.
    expect(top.folders.map((f) => f.name)).toEqual(['empty', 'photos', 'reds']);
    expect(top.folders.find((f) => f.name === 'reds')).toMatchObject({ images: 3, folders: 0 });

    const photos = await listFolder(path.join(home, 'photos'), { home, allowed: [] });
    expect(photos.parent).toBe(home);
    expect(photos.images).toBe(1);
    expect(photos.folders).toEqual([
      { name: 'blue', path: path.join(home, 'photos/blue'), images: 1, folders: 0 },
      { name: 'red', path: path.join(home, 'photos/red'), images: 3, folders: 0 },
    ]);
  });

  it('refuses .. and symlink escapes out of home, and accepts a chosen folder', async () => {
    const { home, outside } = tree();
    expect(await refused(listFolder(path.join(home, '..'), { home, allowed: [] }))).toBe('FORBIDDEN_PATH');
    expect(await refused(listFolder(path.join(home, 'photos/../../outside'), { home, allowed: [] }))).toBe('FORBIDDEN_PATH');
    expect(await refused(listFolder(path.join(home, 'escape'), { home, allowed: [] }))).toBe('FORBIDDEN_PATH');
    expect(await refused(listFolder(path.join(home, 'escape/secret'), { home, allowed: [] }))).toBe('FORBIDDEN_PATH');
    expect(await refused(listFolder('/', { home, allowed: [] }))).toBe('FORBIDDEN_PATH');
    expect(await refused(listFolder(path.join(home, 'nope'), { home, allowed: [] }))).toBe('NOT_FOUND');
    expect(await refused(listFolder(path.join(home, 'photos/red/0.png'), { home, allowed: [] }))).toBe('NOT_FOUND');

    const chosen = await listFolder(path.join(home, 'escape'), { home, allowed: [outside] });
    expect(chosen.path).toBe(outside);
    expect(chosen.parent).toBeNull();
    expect(chosen.folders.map((f) => f.name)).toEqual(['secret']);
    expect(chosen.roots).toEqual([home, outside]);
  });

  it('resolves a relative path against home', async () => {
    const { home } = tree();
    const l = await listFolder('photos/red', { home, allowed: [] });
    expect(l.path).toBe(path.join(home, 'photos/red'));
    expect(l.images).toBe(3);
  });

  it('makes thumbnails of images inside the scope only', async () => {
    const { home, outside } = tree();
    const img = path.join(home, 'photos/red/real.png');
    writeFileSync(img, await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 200, g: 0, b: 0 } } }).png().toBuffer());
    writeFileSync(path.join(outside, 'secret/s.png'), await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer());
    const [ok, bad, out] = await thumbnails([img, path.join(home, 'photos/red/0.png'), path.join(home, 'escape/secret/s.png')], 16, { home, allowed: [] });
    const meta = await sharp(Buffer.from(ok.dataUrl!.split(',')[1], 'base64')).raw().toBuffer({ resolveWithObject: true });
    expect([meta.info.width, meta.info.height]).toEqual([16, 16]);
    expect(meta.data[0]).toBe(200);
    expect(bad.dataUrl).toBeNull();
    expect(out.dataUrl).toBeNull();
    expect(out.error).toMatch(/outside your home folder/);
  });

  it('fs.choose adds a folder inside home to the session and refuses one outside', async () => {
    const ctx = { db: undefined, mode: 'browser', emit: () => undefined, allowedRoots: new Set<string>() } as unknown as ServiceContext;
    const api = fsHandlers(ctx);
    const home = os.homedir();
    const inside = realpathSync(mkdtempSync(path.join(home, '.fs-browser-test-')));
    try {
      expect(await api['fs.choose']({ path: inside })).toEqual({ path: inside });
      expect([...ctx.allowedRoots]).toEqual([inside]);
      const code = await api['fs.choose']({ path: path.join(home, '..') }).then(() => 'accepted', (e: AppError) => e.code);
      expect(code).toBe('FORBIDDEN_PATH');
      expect(ctx.allowedRoots.size).toBe(1);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });
});
