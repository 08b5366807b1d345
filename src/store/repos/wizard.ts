// SPDX-License-Identifier: MIT
// Where the person was in the wizard, per project, and which project was open last. The renderer
// writes these as the person moves; any new window (another `serve` port, a restarted app) reads them.
import type { Db } from '../db';

export interface WizardStateRecord {
  projectId: number;
  /** The wizard step id last shown, e.g. 'train'. */
  step: string | null;
  /** The choices made along the wizard (backbone, dataset, split, training settings, run). */
  choices: Record<string, unknown>;
  updatedAt: string;
}

const LAST_PROJECT = 'lastProjectId';

export function getWizardState(db: Db, projectId: number): WizardStateRecord | undefined {
  const row = db.prepare('SELECT * FROM wizard_state WHERE project_id = ?').get(projectId) as { project_id: number; step: string | null; choices: string; updated_at: string } | undefined;
  if (!row) return undefined;
  let choices: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.choices) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) choices = parsed as Record<string, unknown>;
  } catch {
    // A hand-edited or truncated value must not lock the person out of the project: start afresh.
  }
  return { projectId: row.project_id, step: row.step, choices, updatedAt: row.updated_at };
}

/** Upserts the step and/or the choices; a field left undefined keeps its stored value. */
export function saveWizardState(db: Db, projectId: number, patch: { step?: string | null; choices?: Record<string, unknown> }): WizardStateRecord {
  db.prepare(
    `INSERT INTO wizard_state (project_id, step, choices) VALUES (@id, @step, @choices)
     ON CONFLICT (project_id) DO UPDATE SET
       step = CASE WHEN @setStep THEN excluded.step ELSE wizard_state.step END,
       choices = CASE WHEN @setChoices THEN excluded.choices ELSE wizard_state.choices END,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
  ).run({ id: projectId, step: patch.step ?? null, choices: JSON.stringify(patch.choices ?? {}), setStep: patch.step !== undefined ? 1 : 0, setChoices: patch.choices !== undefined ? 1 : 0 });
  return getWizardState(db, projectId)!;
}

export function getLastProjectId(db: Db): number | null {
  const v = db.prepare('SELECT value FROM app_state WHERE key = ?').pluck().get(LAST_PROJECT) as string | undefined;
  const id = Number(v);
  if (!Number.isInteger(id) || id <= 0) return null;
  // A project deleted since (perhaps from another window) is no longer "the last one open".
  return db.prepare('SELECT 1 FROM projects WHERE id = ?').get(id) ? id : null;
}

export function setLastProjectId(db: Db, id: number | null): void {
  if (id === null) db.prepare('DELETE FROM app_state WHERE key = ?').run(LAST_PROJECT);
  else db.prepare('INSERT INTO app_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(LAST_PROJECT, String(id));
}
