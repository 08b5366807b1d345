// SPDX-License-Identifier: MIT
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHOICES, ProjectState } from './project.svelte';

const p = (id: number, name: string) => ({ id, name, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', settings: {} });

describe('ProjectState', () => {
  beforeEach(() => localStorage.clear());

  it('remembers each project’s choices and which project was open', () => {
    const a = new ProjectState();
    a.open(p(1, 'Birds'));
    a.update({ backbone: 'resnet50', datasetId: 4, freezeUntil: 'conv4_block6' });
    a.open(p(2, 'Cars'));
    expect(a.choices).toEqual(DEFAULT_CHOICES);
    a.update({ runId: 9 });

    const b = new ProjectState();
    expect(b.lastOpenId).toBe(2);
    b.open(p(1, 'Birds'));
    expect(b.choices).toMatchObject({ backbone: 'resnet50', datasetId: 4, freezeUntil: 'conv4_block6', split: DEFAULT_CHOICES.split });
    b.open(p(2, 'Cars'));
    expect(b.choices.runId).toBe(9);
    b.close();
    expect(new ProjectState().lastOpenId).toBeUndefined();
  });

  it('starts from the defaults when the stored choices are not JSON', () => {
    localStorage.setItem('transfer-studio-project-5', '{oops');
    const s = new ProjectState();
    s.open(p(5, 'Broken'));
    expect(s.choices).toEqual(DEFAULT_CHOICES);
  });
});
