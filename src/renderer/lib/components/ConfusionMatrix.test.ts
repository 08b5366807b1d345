// SPDX-License-Identifier: MIT
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ConfusionMatrix from './ConfusionMatrix.svelte';

const classNames = ['cat', 'dog', 'fox'];
const matrix = [
  [5, 1, 0],
  [2, 7, 1],
  [0, 0, 4],
];

describe('ConfusionMatrix', () => {
  it('shows every count with a label that reads true and predicted class', () => {
    render(ConfusionMatrix, { classNames, matrix, onSelect: () => undefined });
    const cells = screen.getAllByRole('button');
    expect(cells.map((c) => c.textContent)).toEqual(['5', '1', '0', '2', '7', '1', '0', '0', '4']);
    expect(screen.getByRole('button', { name: '2 dog images predicted as cat' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '1 cat image predicted as dog' })).toBeTruthy();
    expect(screen.getAllByRole('rowheader').map((h) => h.textContent)).toEqual(classNames);
  });

  it('reports the clicked cell as (true, predicted) and marks it pressed', async () => {
    const picked: [number, number][] = [];
    const { rerender } = render(ConfusionMatrix, { classNames, matrix, onSelect: (i: number, j: number) => picked.push([i, j]) });
    await fireEvent.click(screen.getByRole('button', { name: '1 dog image predicted as fox' }));
    expect(picked).toEqual([[1, 2]]);
    await rerender({ selected: [1, 2] });
    expect(screen.getByRole('button', { name: '1 dog image predicted as fox' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: '5 cat images predicted as cat' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('moves focus between cells with the arrow keys and stops at the edges', async () => {
    render(ConfusionMatrix, { classNames, matrix, onSelect: () => undefined });
    const start = document.querySelector<HTMLButtonElement>('[data-cell="0-0"]')!;
    start.focus();
    await fireEvent.keyDown(start, { key: 'ArrowRight' });
    expect(document.activeElement?.getAttribute('data-cell')).toBe('0-1');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-cell')).toBe('2-1');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(document.activeElement?.getAttribute('data-cell')).toBe('2-0');
  });
});
