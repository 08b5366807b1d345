// SPDX-License-Identifier: MIT
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ClassifyResultDto } from '../../../shared/dto/classify';
import ClassifyResults from './ClassifyResults.svelte';

const result = (path: string, modelLabel: string | null, extra: Partial<ClassifyResultDto> = {}): ClassifyResultDto => ({
  path, label: modelLabel, modelLabel, confidence: 0.9, topk: [], unsure: modelLabel === null, corrected: false, problem: null, sha256: null, ...extra,
});

describe('ClassifyResults', () => {
  it('corrects a result to one of the classes, shows it as corrected, and undoes it', async () => {
    let rows = [result('a/x.png', 'dog'), result('y.png', 'cat'), result('bad.png', null, { problem: { code: 'DECODE_FAILED', reason: 'not an image' }, confidence: null })];
    const calls: [string, string | null][] = [];
    const view = render(ClassifyResults, { results: rows, thumbs: {}, labels: ['cat', 'dog'], correct: async (p: string, l: string | null) => (calls.push([p, l]), true) });
    // A file that could not be read has nothing to correct.
    expect(screen.queryByLabelText('Correct bad.png')).toBeNull();
    const menu = screen.getByLabelText('Correct a/x.png') as HTMLSelectElement;
    expect([...menu.options].map((o) => o.textContent)).toEqual(['model: dog', 'cat', 'dog']);
    await fireEvent.change(menu, { target: { value: 'cat' } });
    expect(calls).toEqual([['a/x.png', 'cat']]);
    expect(screen.getByTestId('last-correction').textContent).toContain('a/x.png: dog → cat');
    // The step reloads the row from the engine: now corrected.
    rows = [result('a/x.png', 'dog', { label: 'cat', corrected: true }), ...rows.slice(1)];
    await view.rerender({ results: rows });
    const item = document.querySelector('li[data-path="a/x.png"]')!;
    expect(item.querySelector('[data-testid=result-label]')!.textContent).toBe('cat');
    expect(item.querySelector('[data-testid=corrected]')!.textContent).toBe('corrected, model said dog');
    expect((screen.getByLabelText('Correct a/x.png') as HTMLSelectElement).value).toBe('cat');
    await fireEvent.click(screen.getByRole('button', { name: 'Undo correction' }));
    expect(calls).toEqual([['a/x.png', 'cat'], ['a/x.png', null]]);
    expect(screen.queryByTestId('last-correction')).toBeNull();
  });

  it('puts the menu back when the engine refuses a correction', async () => {
    render(ClassifyResults, { results: [result('y.png', 'cat')], thumbs: {}, labels: ['cat', 'dog'], correct: async () => false });
    const menu = screen.getByLabelText('Correct y.png') as HTMLSelectElement;
    await fireEvent.change(menu, { target: { value: 'dog' } });
    expect(menu.value).toBe('');
    expect(screen.queryByTestId('last-correction')).toBeNull();
  });
});
