// SPDX-License-Identifier: MIT
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toasts } from '../state/toasts.svelte';
import ConfirmDelete from './ConfirmDelete.svelte';

describe('ConfirmDelete', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('asks with the question and deletes only on yes', async () => {
    const asked: string[] = [];
    let answer = false;
    vi.stubGlobal('confirm', (q: string) => (asked.push(q), answer));
    let deleted = 0;
    render(ConfirmDelete, { label: 'Delete run 3', question: 'Delete run 3 and its model?', failure: 'Could not delete run 3', ondelete: async () => void deleted++ });
    const button = screen.getByRole('button', { name: 'Delete run 3' });
    await fireEvent.click(button);
    expect(asked).toEqual(['Delete run 3 and its model?']);
    expect(deleted).toBe(0);
    answer = true;
    await fireEvent.click(button);
    await vi.waitFor(() => expect(deleted).toBe(1));
  });

  it('reports a failed delete as an error toast naming what failed', async () => {
    vi.stubGlobal('confirm', () => true);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(ConfirmDelete, { label: 'Delete Birds', question: 'Delete?', failure: 'Could not delete the project', danger: true, ondelete: async () => Promise.reject(new Error('database is locked')) });
    const button = screen.getByRole('button', { name: 'Delete Birds' });
    expect(button.classList.contains('danger')).toBe(true);
    await fireEvent.click(button);
    await vi.waitFor(() => expect(toasts.items.map((t) => [t.kind, t.text])).toContainEqual(['error', 'Could not delete the project: database is locked']));
  });
});
