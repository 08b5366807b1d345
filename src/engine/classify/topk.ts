// SPDX-License-Identifier: MIT
import type { TopKEntry } from './types';

/** The `k` highest probabilities of one row, highest first; ties keep the lower class index first. */
export function topK(row: ArrayLike<number>, labels: readonly string[], k: number): TopKEntry[] {
  const picked: number[] = [];
  const n = Math.min(k, row.length);
  for (let j = 0; j < n; j++) {
    let best = -1;
    for (let i = 0; i < row.length; i++) {
      if (picked.includes(i)) continue;
      if (best < 0 || row[i] > row[best]) best = i;
    }
    picked.push(best);
  }
  return picked.map((i) => ({ label: labels[i], p: row[i] }));
}
