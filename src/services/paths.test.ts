// SPDX-License-Identifier: MIT
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confinePath, isInside } from './paths';

describe('confinePath', () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'ts-outside-'));
  const chosen = mkdtempSync(path.join(os.tmpdir(), 'ts-chosen-'));
  mkdirSync(path.join(chosen, 'birds'));
  symlinkSync(outside, path.join(chosen, 'escape'));
  const browser = { mode: 'browser' as const, allowedRoots: new Set([chosen]) };

  it('allows folders inside a chosen folder, existing or not yet created', () => {
    expect(confinePath(browser, path.join(chosen, 'birds'), 'dataset folder')).toBe(path.join(chosen, 'birds'));
    expect(confinePath(browser, path.join(chosen, 'exports', 'new'), 'export folder')).toBe(path.join(chosen, 'exports', 'new'));
  });

  it('refuses .. and symlink escapes with FORBIDDEN_PATH naming the path', () => {
    for (const p of [outside, path.join(chosen, '..', path.basename(outside)), path.join(chosen, 'escape'), path.join(chosen, 'escape', 'x.jpg'), '/etc/passwd']) {
      expect(() => confinePath(browser, p, 'dataset folder')).toThrowError(expect.objectContaining({ code: 'FORBIDDEN_PATH' }) as Error);
    }
  });

  it('does not confine the CLI or the desktop app', () => {
    expect(confinePath({ mode: 'cli', allowedRoots: new Set() }, outside, 'x')).toBe(outside);
    expect(confinePath({ mode: 'electron', allowedRoots: new Set() }, outside, 'x')).toBe(outside);
  });

  it('isInside compares whole path segments', () => {
    expect(isInside('/home/ada/photos', '/home/ada')).toBe(true);
    expect(isInside('/home/adam', '/home/ada')).toBe(false);
  });
});
