// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/dto/train';
import { defaultRun, groupRuns, runOptionLabel } from './run-groups';

const run = (id: number, projectId: number | null, status: RunSummary['status'] = 'completed', extra: Partial<RunSummary> = {}): RunSummary => ({
  id, projectId, datasetId: 1, backbone: 'mobilenetv2', weights: 'imagenet', status, backend: 'cpu', startedAt: '', finishedAt: '', accuracy: null, error: null, ...extra,
});
const projects = [{ id: 1, name: 'Birds' }, { id: 2, name: 'Cats' }];

describe('groupRuns', () => {
  it("puts the project's runs first, then CLI runs, then other projects', completed only and newest first", () => {
    const groups = groupRuns([run(1, 1), run(2, null), run(3, 2), run(4, 1), run(5, null, 'failed'), run(6, 3)], 1, projects);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([
      ['This project', [4, 1]],
      ['CLI runs (no project)', [2]],
      ['Project Cats', [3]],
      ['Project 3', [6]],
    ]);
  });

  it('leaves out empty groups: a project without runs still lists the CLI runs', () => {
    expect(groupRuns([run(2, null)], 1, projects).map((g) => g.label)).toEqual(['CLI runs (no project)']);
    expect(groupRuns([run(5, null, 'running')], 1, projects)).toEqual([]);
  });
});

describe('defaultRun', () => {
  const groups = groupRuns([run(1, 1), run(2, null), run(7, null)], 1, projects);
  it("keeps the wizard's run, else the project's newest, else the newest of all", () => {
    expect(defaultRun(groups, 2, 1)).toBe(2);
    expect(defaultRun(groups, 99, 1)).toBe(1);
    expect(defaultRun(groupRuns([run(1, 1), run(2, null), run(7, null)], 5, projects), undefined, 5)).toBe(7);
    expect(defaultRun([], undefined, 1)).toBeUndefined();
  });
});

describe('runOptionLabel', () => {
  it('names the run and its accuracy', () => {
    expect(runOptionLabel(run(3, null, 'completed', { accuracy: 0.875 }))).toBe('Run 3 (mobilenetv2), 87.5% test accuracy');
    expect(runOptionLabel(run(3, null, 'completed', { name: 'baseline' }))).toBe('baseline (run 3)');
  });
});
