// SPDX-License-Identifier: MIT
// A small seeded RNG. Math.random cannot be seeded, and splits and augmentations must repeat
// exactly for a given seed so runs can be compared and reproduced.

/** 32-bit FNV-1a over the parts, so a seed plus names/indices gives an independent stream. */
export function deriveSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = `${typeof p}:${p};`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/**
 * One step of mulberry32 (fast, 32-bit state, good enough for shuffles, augmentation and test
 * data): the value in [0, 1) and the next state. Pure, so a checkpoint can store the state.
 */
export function mulberry32(state: number): [value: number, next: number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}

export function createRng(seed: number | string): Rng {
  let a = typeof seed === 'string' ? deriveSeed(seed) : seed >>> 0;
  const next = () => {
    const [value, state] = mulberry32(a);
    a = state;
    return value;
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
  };
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
