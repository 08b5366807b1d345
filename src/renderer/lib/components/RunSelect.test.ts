// SPDX-License-Identifier: MIT
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/dto/train';
import { groupRuns } from './run-groups';
import RunSelect from './RunSelect.svelte';

const run = (id: number, projectId: number | null): RunSummary => ({
  id, projectId, datasetId: 1, backbone: 'mobilenetv2', weights: 'imagenet', status: 'completed', backend: 'cpu', startedAt: '', finishedAt: '', accuracy: 0.5, error: null,
});

describe('RunSelect', () => {
  it("lists the project's runs, then CLI runs, each under its group, and reports the choice", async () => {
    const groups = groupRuns([run(1, 1), run(2, null), run(3, 2)], 1, [{ id: 2, name: 'Cats' }]);
    const chosen: number[] = [];
    render(RunSelect, { groups, value: 1, label: 'Model', onchange: (id: number) => chosen.push(id) });
    const select = screen.getByLabelText('Model') as HTMLSelectElement;
    const shown = [...select.querySelectorAll('optgroup')].map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.textContent)]);
    expect(shown).toEqual([
      ['This project', ['Run 1 (mobilenetv2), 50.0% test accuracy']],
      ['CLI runs (no project)', ['Run 2 (mobilenetv2), 50.0% test accuracy']],
      ['Project Cats', ['Run 3 (mobilenetv2), 50.0% test accuracy']],
    ]);
    expect(select.value).toBe('1');
    await fireEvent.change(select, { target: { value: '2' } });
    expect(chosen).toEqual([2]);
  });
});
