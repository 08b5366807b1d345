// SPDX-License-Identifier: MIT
// ProjectState against an in-memory WizardStore with wizard.get/wizard.save's semantics (the real
// SQLite side is tested in services/runs.test.ts and by the e2e test that resumes on a new port).
import { describe, expect, it } from 'vitest';
import type { WizardStateDto } from '../../../shared/dto/runs';
import { DEFAULT_CHOICES, ProjectState, type WizardStore } from './project.svelte';

const p = (id: number, name: string) => ({ id, name, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', settings: {} });

function memoryStore(): WizardStore & { rows: Map<number, { step: string | null; choices: Record<string, unknown> }>; last: number | null } {
  const rows = new Map<number, { step: string | null; choices: Record<string, unknown> }>();
  const s = {
    rows,
    last: null as number | null,
    async load(projectId?: number): Promise<WizardStateDto> {
      const id = projectId ?? s.last;
      const row = id === null ? undefined : rows.get(id);
      return { lastProjectId: s.last, projectId: id, step: row?.step ?? null, choices: structuredClone(row?.choices ?? {}) };
    },
    async save(input: { projectId: number | null; step?: string; choices?: Record<string, unknown> }) {
      s.last = input.projectId;
      if (input.projectId === null) return;
      const row = rows.get(input.projectId) ?? { step: null, choices: {} };
      rows.set(input.projectId, { step: input.step ?? row.step, choices: input.choices ? structuredClone(input.choices) : row.choices });
    },
  };
  return s;
}

describe('ProjectState', () => {
  it('remembers each project’s choices and step, and which project was open', async () => {
    const store = memoryStore();
    const a = new ProjectState(store);
    await a.open(p(1, 'Birds'));
    void a.update({ backbone: 'resnet50', datasetId: 4, freezeUntil: 'conv4_block6', train: { epochs: 3, optimizer: 'sgd' } });
    void a.saveStep('train');
    await a.open(p(2, 'Cars'));
    expect(a.choices).toEqual(DEFAULT_CHOICES);
    await a.update({ runId: 9 });
    await a.saveStep('evaluate');
    await a.flushed();

    // A new window: it finds project 2 open last, at its step, and project 1 as it was left.
    const b = new ProjectState(store);
    const step = await b.resume(async () => [p(1, 'Birds'), p(2, 'Cars')]);
    expect(step).toBe('evaluate');
    expect(b.current?.id).toBe(2);
    expect(b.choices.runId).toBe(9);
    expect(await b.open(p(1, 'Birds'))).toBe('train');
    expect(b.choices).toMatchObject({ backbone: 'resnet50', datasetId: 4, freezeUntil: 'conv4_block6', split: DEFAULT_CHOICES.split, train: { epochs: 3, optimizer: 'sgd' } });
    b.close();
    await b.flushed();
    expect(await new ProjectState(store).resume(async () => [p(1, 'Birds')])).toBeNull();
  });

  it('does not resume a project deleted since, and repairs choices of the wrong shape', async () => {
    const store = memoryStore();
    store.rows.set(5, { step: 'train', choices: { backbone: 7, split: 'x', datasetId: 3 } });
    store.last = 5;
    const s = new ProjectState(store);
    expect(await s.resume(async () => [p(6, 'Other')])).toBeNull();
    expect(s.current).toBeUndefined();
    await s.open(p(5, 'Odd'));
    expect(s.choices).toEqual({ ...DEFAULT_CHOICES, datasetId: 3 });
  });

  it('takes the default backbone from the engine and keeps a chosen one', async () => {
    const s = new ProjectState(memoryStore());
    await s.open(p(7, 'Leaves'));
    expect(s.choices.backbone).toBe('');
    s.setDefaultBackbone('mobilenetv2');
    expect(s.choices.backbone).toBe('mobilenetv2');
    await s.open(p(8, 'Stones'));
    expect(s.choices.backbone).toBe('mobilenetv2');
    await s.update({ backbone: 'lenet5', weights: 'none' });
    s.setDefaultBackbone('resnet50');
    expect(s.choices).toMatchObject({ backbone: 'lenet5', weights: 'none' });
    await s.open(p(7, 'Leaves'));
    await s.open(p(8, 'Stones'));
    expect(s.choices).toMatchObject({ backbone: 'lenet5', weights: 'none' });
  });
});
