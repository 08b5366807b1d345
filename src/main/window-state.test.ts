// SPDX-License-Identifier: MIT
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, loadWindowState, saveWindowState } from './window-state';

describe('window state', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-win-'));
  it('round-trips size, position and maximised', () => {
    const file = path.join(dir, 'a.json');
    saveWindowState(file, { width: 1000, height: 700, x: 20, y: 30, maximized: true });
    expect(loadWindowState(file)).toEqual({ width: 1000, height: 700, x: 20, y: 30, maximized: true });
  });
  it('falls back to defaults for missing, corrupt or absurd files', () => {
    expect(loadWindowState(path.join(dir, 'missing.json'))).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(path.join(dir, 'bad.json'), '{not json');
    expect(loadWindowState(path.join(dir, 'bad.json'))).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(path.join(dir, 'tiny.json'), JSON.stringify({ width: 10, height: 10 }));
    expect(loadWindowState(path.join(dir, 'tiny.json'))).toEqual(DEFAULT_WINDOW_STATE);
  });
});
