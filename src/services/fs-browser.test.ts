// SPDX-License-Identifier: MIT
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors';
import { listFolder } from './fs-browser';

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
});
