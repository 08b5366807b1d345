// SPDX-License-Identifier: MIT
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import FreezeSlider from './FreezeSlider.svelte';
import { boundaryIndex, freezeCounts, untilAt } from './freeze-math';

// The first and last blocks of Keras's MobileNetV2 (params, trainable params).
const blocks = [
  { name: 'stem', params: 992, trainableParams: 928 },
  { name: 'block_0', params: 992, trainableParams: 896 },
  { name: 'block_1', params: 5568, trainableParams: 5136 },
  { name: 'block_16', params: 478400, trainableParams: 473920 },
  { name: 'conv_1', params: 414720, trainableParams: 412160 },
];

describe('freeze math', () => {
  it('maps freezeUntil to a boundary and back', () => {
    expect(boundaryIndex(blocks, 'all')).toBe(5);
    expect(boundaryIndex(blocks, 'none')).toBe(0);
    expect(boundaryIndex(blocks, 'block_0')).toBe(2);
    expect([0, 1, 2, 4, 5].map((k) => untilAt(blocks, k))).toEqual(['none', 'stem', 'block_0', 'block_16', 'all']);
  });

  it('counts frozen and trainable parameters, BN statistics always frozen', () => {
    expect(freezeCounts(blocks, 5)).toEqual({ frozen: 900672, trainable: 0 });
    expect(freezeCounts(blocks, 0)).toEqual({ frozen: 900672 - 893040, trainable: 893040 });
    expect(freezeCounts(blocks, 3)).toEqual({ frozen: 7552 + 4480 + 2560, trainable: 886080 });
  });
});

describe('FreezeSlider', () => {
  it('shows the counts for the current boundary and reports slider moves as block names', async () => {
    const changes: string[] = [];
    const { rerender } = render(FreezeSlider, { blocks, value: 'all', onChange: (v: string) => changes.push(v) });
    expect(screen.getByTestId('frozen-blocks').textContent).toBe('5');
    expect(screen.getByTestId('trainable-params').textContent).toBe('0');
    expect(screen.getByTestId('frozen-params').textContent).toBe('900,672');

    const slider = screen.getByLabelText(/Freeze the first/);
    await fireEvent.input(slider, { target: { value: '3' } });
    expect(changes).toEqual(['block_1']);
    await rerender({ value: 'block_1' });
    expect(screen.getByTestId('frozen-blocks').textContent).toBe('3');
    expect(screen.getByTestId('trainable-params').textContent).toBe('886,080');
    expect(screen.getAllByRole('button', { pressed: true }).map((b) => b.textContent?.trim().split(/\s+/)[0])).toEqual(['stem', 'block_0', 'block_1']);
  });

  it('freezes up to a block when its box is clicked', async () => {
    const changes: string[] = [];
    render(FreezeSlider, { blocks, value: 'none', onChange: (v: string) => changes.push(v) });
    expect(screen.getByTestId('trainable-params').textContent).toBe('893,040');
    await fireEvent.click(screen.getByRole('button', { name: /block_16/ }));
    await fireEvent.click(screen.getByRole('button', { name: /conv_1/ }));
    expect(changes).toEqual(['block_16', 'all']);
  });
});
