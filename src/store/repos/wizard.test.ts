// SPDX-License-Identifier: MIT
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../db';
import { LATEST_SCHEMA_VERSION, SCHEMA_VERSIONS } from '../migrations/index';
import { createProject, deleteProject } from './projects';
import { createRun, deleteRun, getRun, listEpochs, listRuns, recordEpoch, updateRun } from './runs';
import { getLastProjectId, getWizardState, saveWizardState, setLastProjectId } from './wizard';

const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-wizard-')), 'db.sqlite');

describe('wizard state (migration 0040)', () => {
  it('keeps the step and the choices per project across a reopen of the file', () => {
    const f = file();
    let db = openDatabase(f);
    const a = createProject(db, 'Birds');
    const b = createProject(db, 'Cats');
    saveWizardState(db, a.id, { step: 'train', choices: { backbone: 'resnet50', datasetId: 3 } });
    saveWizardState(db, b.id, { step: 'dataset' });
    setLastProjectId(db, a.id);
    db.close();
    db = openDatabase(f);
    expect(getLastProjectId(db)).toBe(a.id);
    expect(getWizardState(db, a.id)).toMatchObject({ step: 'train', choices: { backbone: 'resnet50', datasetId: 3 } });
    expect(getWizardState(db, b.id)).toMatchObject({ step: 'dataset', choices: {} });
    // Saving only the step keeps the choices; saving only the choices keeps the step.
    saveWizardState(db, a.id, { step: 'evaluate' });
    expect(getWizardState(db, a.id)).toMatchObject({ step: 'evaluate', choices: { backbone: 'resnet50' } });
    saveWizardState(db, a.id, { choices: { backbone: 'vgg16' } });
    expect(getWizardState(db, a.id)).toMatchObject({ step: 'evaluate', choices: { backbone: 'vgg16' } });
    db.close();
  });

  it('forgets a deleted project: its state cascades away and it is no longer the last one open', () => {
    const db = openDatabase(file());
    const p = createProject(db, 'Gone');
    saveWizardState(db, p.id, { step: 'train', choices: { x: 1 } });
    setLastProjectId(db, p.id);
    deleteProject(db, p.id);
    expect(getWizardState(db, p.id)).toBeUndefined();
    expect(getLastProjectId(db)).toBeNull();
    expect(db.prepare('SELECT count(*) FROM wizard_state').pluck().get()).toBe(0);
  });

  it('reads a corrupted choices value as empty instead of failing', () => {
    const db = openDatabase(file());
    const p = createProject(db, 'P');
    saveWizardState(db, p.id, { step: 'train', choices: { a: 1 } });
    db.prepare('UPDATE wizard_state SET choices = ? WHERE project_id = ?').run('{oops', p.id);
    expect(getWizardState(db, p.id)).toMatchObject({ step: 'train', choices: {} });
  });

  it('adds run names and thresholds to a version-20 database without losing its runs', () => {
    const f = file();
    const old = openDatabase(f, { versions: SCHEMA_VERSIONS.filter((v) => v.version <= 20) });
    expect(schemaVersion(old)).toBe(20);
    const r = createRunAt20(old);
    old.close();
    const db = openDatabase(f);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(getRun(db, r)).toMatchObject({ backbone: 'mobilenetv2', name: null, threshold: null });
    updateRun(db, r, { name: 'first try', threshold: 0.7 });
    expect(getRun(db, r)).toMatchObject({ name: 'first try', threshold: 0.7 });
  });

  it('deletes a run with its epochs and nothing else', () => {
    const db = openDatabase(file());
    const a = createRun(db, { backbone: 'mobilenetv2', weights: 'none', config: {} });
    const b = createRun(db, { backbone: 'resnet50', weights: 'none', config: {} });
    recordEpoch(db, a.id, { phase: 1, epoch: 1, loss: 1, acc: 0.5, valLoss: 1, valAcc: 0.5, lr: 0.001, seconds: 1, imagesPerSec: 10 });
    recordEpoch(db, b.id, { phase: 1, epoch: 1, loss: 1, acc: 0.5, valLoss: 1, valAcc: 0.5, lr: 0.001, seconds: 1, imagesPerSec: 10 });
    expect(deleteRun(db, a.id)).toBe(true);
    expect(deleteRun(db, a.id)).toBe(false);
    expect(listRuns(db).map((r) => r.id)).toEqual([b.id]);
    expect(listEpochs(db, a.id)).toEqual([]);
    expect(listEpochs(db, b.id)).toHaveLength(1);
  });
});

function createRunAt20(db: ReturnType<typeof openDatabase>): number {
  // The version-20 schema has no name or threshold column: insert as the old code did.
  return Number(db.prepare("INSERT INTO runs (backbone, weights, config, status) VALUES ('mobilenetv2', 'none', '{}', 'completed')").run().lastInsertRowid);
}
