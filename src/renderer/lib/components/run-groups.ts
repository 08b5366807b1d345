// SPDX-License-Identifier: MIT
// The runs a step can use, grouped for a <select>: the open project's first, then runs made with
// the CLI (no project), then other projects' runs. A model trained anywhere can classify or be
// exported from any project, so none is hidden; the grouping keeps the project's own on top.
import type { Project } from '../../../shared/dto/project';
import type { RunSummary } from '../../../shared/dto/train';
import { runLabel } from './run-curves';

export interface RunGroup {
  label: string;
  runs: RunSummary[];
}

/** Completed runs only (the others have no model), newest first within each group. */
export function groupRuns(runs: readonly RunSummary[], projectId: number | undefined, projects: readonly Pick<Project, 'id' | 'name'>[]): RunGroup[] {
  const done = runs.filter((r) => r.status === 'completed').sort((a, b) => b.id - a.id);
  const groups: RunGroup[] = [
    { label: 'This project', runs: done.filter((r) => projectId !== undefined && r.projectId === projectId) },
    { label: 'CLI runs (no project)', runs: done.filter((r) => r.projectId === null) },
  ];
  const others = [...new Set(done.map((r) => r.projectId).filter((id): id is number => id !== null && id !== projectId))].sort((a, b) => a - b);
  for (const id of others) groups.push({ label: `Project ${projects.find((p) => p.id === id)?.name ?? id}`, runs: done.filter((r) => r.projectId === id) });
  return groups.filter((g) => g.runs.length > 0);
}

/** The run a step starts on: the one chosen in the wizard if it is still listed, else the project's newest, else the newest. */
export function defaultRun(groups: readonly RunGroup[], chosen: number | undefined, projectId: number | undefined): number | undefined {
  const all = groups.flatMap((g) => g.runs);
  if (chosen !== undefined && all.some((r) => r.id === chosen)) return chosen;
  return (all.find((r) => projectId !== undefined && r.projectId === projectId) ?? all[0])?.id;
}

/** One line per run: its name or id and backbone, and its test accuracy when known. */
export function runOptionLabel(r: RunSummary): string {
  return `${runLabel(r)}${r.accuracy !== null ? `, ${(r.accuracy * 100).toFixed(1)}% test accuracy` : ''}`;
}
