// SPDX-License-Identifier: MIT
// `transfer-studio cache info|clear` and doctor's line, through the real CLI on a real cache.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageCacheKey, writeCachedImage } from '../../engine/data/image-cache';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
let home: string;
const cli = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [path.join(repo, 'bin/transfer-studio.mjs'), ...args], { cwd: repo, env: { ...process.env, TRANSFER_STUDIO_HOME: home } })).stdout;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'cli-cache-'));
  const dir = path.join(home, 'image-cache');
  for (const c of ['1', '2', '3']) await writeCachedImage(dir, imageCacheKey(c.repeat(64), { width: 224, height: 224 }), { data: new Uint8Array(300), width: 10, height: 10 });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('transfer-studio cache', () => {
  it('info and doctor show the entries, clear removes them', async () => {
    const dir = path.join(home, 'image-cache');
    const info = JSON.parse(await cli('cache', 'info', '--json'));
    expect(info).toEqual({ dir, entries: 3, bytes: 3 * 316, partial: 0, maxBytes: 2 * 1024 ** 3 });
    expect(await cli('cache', 'info')).toContain(`${dir} (3 decoded image(s), 948 B of 2.0 GiB`);
    expect(await cli('doctor')).toMatch(/Image cache +.*image-cache \(3 decoded image\(s\)/);
    expect(JSON.parse(await cli('cache', 'clear', '--json'))).toEqual({ dir, removed: 3, bytes: 948 });
    expect(existsSync(dir)).toBe(false);
    expect(JSON.parse(await cli('cache', 'info', '--json')).entries).toBe(0);
  });
});
