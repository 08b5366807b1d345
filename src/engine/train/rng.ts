// SPDX-License-Identifier: MIT
// A tiny seeded generator (mulberry32) whose whole state is one uint32, so a checkpoint can
// store it and a resumed run draws the same dropout seeds as an uninterrupted one.

import { mulberry32 } from '../data/rng';

/** Seeded pseudo-random numbers with a serialisable state. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    const [value, state] = mulberry32(this.#state);
    this.#state = state;
    return value;
  }

  /** An integer in [0, 2^31), e.g. a seed for a tfjs random op. */
  nextSeed(): number {
    return Math.floor(this.next() * 2147483648);
  }

  get state(): number {
    return this.#state;
  }

  set state(value: number) {
    this.#state = value >>> 0;
  }
}
