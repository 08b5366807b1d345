// SPDX-License-Identifier: MIT
// Remembers the window's size, position and maximised state between launches.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface WindowState {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 840, maximized: false };

/** Reads the saved state; anything missing, corrupt or absurd falls back to the defaults. */
export function loadWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    const ok = (n: unknown, min: number) => typeof n === 'number' && Number.isFinite(n) && n >= min && n < 20_000;
    if (!ok(s.width, 400) || !ok(s.height, 300)) return { ...DEFAULT_WINDOW_STATE };
    return {
      width: s.width!,
      height: s.height!,
      ...(ok(s.x, -20_000) && ok(s.y, -20_000) ? { x: s.x, y: s.y } : {}),
      maximized: s.maximized === true,
    };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
