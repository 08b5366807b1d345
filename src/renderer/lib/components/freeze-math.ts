// SPDX-License-Identifier: MIT
// The freeze boundary as the slider sees it: k = how many leading blocks are frozen.

export interface FreezeBlock {
  name: string;
  params: number;
  trainableParams: number;
}

/** k for a freezeUntil value: 'all' → every block, 'none' → 0, a block name → its position + 1. */
export function boundaryIndex(blocks: readonly FreezeBlock[], until: string): number {
  if (until === 'all') return blocks.length;
  if (until === 'none') return 0;
  const i = blocks.findIndex((b) => b.name === until);
  return i < 0 ? blocks.length : i + 1;
}

/** The freezeUntil value that freezes the first `k` blocks. */
export function untilAt(blocks: readonly FreezeBlock[], k: number): string {
  if (k <= 0) return 'none';
  if (k >= blocks.length) return 'all';
  return blocks[k - 1].name;
}

/**
 * Parameters frozen and trained with the first `k` blocks frozen. A frozen block keeps all its
 * weights; an unfrozen one trains its trainable weights (BatchNormalization's moving statistics never train).
 */
export function freezeCounts(blocks: readonly FreezeBlock[], k: number): { frozen: number; trainable: number } {
  let frozen = 0;
  let trainable = 0;
  blocks.forEach((b, i) => {
    if (i < k) frozen += b.params;
    else {
      trainable += b.trainableParams;
      frozen += b.params - b.trainableParams;
    }
  });
  return { frozen, trainable };
}
