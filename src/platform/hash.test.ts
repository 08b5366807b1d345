// SPDX-License-Identifier: MIT
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFile, sha256File } from './hash';

describe('hashFile / sha256File', () => {
  it('equals the digest of the whole file, across several read chunks', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-hash-'));
    const bytes = randomBytes(3 * (1 << 20) + 17);
    const file = path.join(dir, 'a.bin');
    writeFileSync(file, bytes);
    expect(await sha256File(file)).toBe(createHash('sha256').update(bytes).digest('hex'));
    // md5 for the Keras weight files published with one.
    expect(await hashFile(file, 'md5')).toBe(createHash('md5').update(bytes).digest('hex'));
  });

  it('rejects with ENOENT for a missing file', async () => {
    await expect(sha256File(path.join(os.tmpdir(), 'ts-hash-missing', 'x'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
