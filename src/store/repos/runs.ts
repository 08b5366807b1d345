// SPDX-License-Identifier: MIT
import type { EpochDto } from '../../shared/dto/train';
import type { Db } from '../db';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  id: number;
  projectId: number | null;
  datasetId: number | null;
  backbone: string;
  weights: string;
  config: Record<string, unknown>;
  status: RunStatus;
  backend: string | null;
  engineNotes: string | null;
  dir: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  evaluation: Record<string, unknown> | null;
  /** A name the user gave the run; null shows as "Run <id>". */
  name: string | null;
  /** Below this top probability a prediction is "unsure"; null means the default (0.5). */
  threshold: number | null;
}

/** The epoch fields are declared once, in shared/dto/train.ts. */
export type EpochMetricRecord = EpochDto;

interface RunRow {
  id: number;
  project_id: number | null;
  dataset_id: number | null;
  backbone: string;
  weights: string;
  config: string;
  status: RunStatus;
  backend: string | null;
  engine_notes: string | null;
  dir: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  evaluation: string | null;
  name: string | null;
  threshold: number | null;
}

const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  projectId: r.project_id,
  datasetId: r.dataset_id,
  backbone: r.backbone,
  weights: r.weights,
  config: JSON.parse(r.config) as Record<string, unknown>,
  status: r.status,
  backend: r.backend,
  engineNotes: r.engine_notes,
  dir: r.dir,
  error: r.error,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  evaluation: r.evaluation ? (JSON.parse(r.evaluation) as Record<string, unknown>) : null,
  name: r.name,
  threshold: r.threshold,
});

export function createRun(db: Db, r: { projectId?: number | null; datasetId?: number | null; backbone: string; weights: string; config: object; dir?: string }): RunRecord {
  const id = Number(
    db
      .prepare("INSERT INTO runs (project_id, dataset_id, backbone, weights, config, status, dir) VALUES (?, ?, ?, ?, ?, 'queued', ?)")
      .run(r.projectId ?? null, r.datasetId ?? null, r.backbone, r.weights, JSON.stringify(r.config), r.dir ?? null).lastInsertRowid,
  );
  return getRun(db, id)!;
}

export function getRun(db: Db, id: number): RunRecord | undefined {
  const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  return row && toRun(row);
}

export function listRuns(db: Db, projectId?: number): RunRecord[] {
  const rows = (projectId === undefined ? db.prepare('SELECT * FROM runs ORDER BY id DESC').all() : db.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY id DESC').all(projectId)) as RunRow[];
  return rows.map(toRun);
}

export function updateRun(db: Db, id: number, patch: Partial<Pick<RunRecord, 'status' | 'backend' | 'engineNotes' | 'dir' | 'error' | 'evaluation' | 'config' | 'name' | 'threshold'>>): void {
  const sets: string[] = [];
  const values: unknown[] = [];
  const col: Record<string, string> = { status: 'status', backend: 'backend', engineNotes: 'engine_notes', dir: 'dir', error: 'error', evaluation: 'evaluation', config: 'config', name: 'name', threshold: 'threshold' };
  for (const [k, v] of Object.entries(patch)) {
    sets.push(`${col[k]} = ?`);
    values.push(k === 'evaluation' || k === 'config' ? (v === null ? null : JSON.stringify(v)) : v);
  }
  if (patch.status && ['completed', 'failed', 'cancelled', 'interrupted'].includes(patch.status)) sets.push("finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')");
  if (patch.status === 'running') sets.push('finished_at = NULL');
  if (!sets.length) return;
  db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
}

/** Deletes a run's row; its epochs go with it (ON DELETE CASCADE), models and exports keep their files but lose the link. */
export function deleteRun(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
}

/** Upserts one epoch's metrics: a resumed run that repeats an epoch overwrites it rather than duplicating it. */
export function recordEpoch(db: Db, runId: number, m: EpochMetricRecord): void {
  db.prepare(
    `INSERT INTO epoch_metrics (run_id, phase, epoch, loss, acc, val_loss, val_acc, lr, seconds, images_per_sec)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, phase, epoch) DO UPDATE SET loss = excluded.loss, acc = excluded.acc, val_loss = excluded.val_loss,
       val_acc = excluded.val_acc, lr = excluded.lr, seconds = excluded.seconds, images_per_sec = excluded.images_per_sec`,
  ).run(runId, m.phase, m.epoch, m.loss, m.acc, m.valLoss, m.valAcc, m.lr, m.seconds, m.imagesPerSec);
}

export function listEpochs(db: Db, runId: number): EpochMetricRecord[] {
  return (
    db.prepare('SELECT * FROM epoch_metrics WHERE run_id = ? ORDER BY phase, epoch').all(runId) as {
      phase: number;
      epoch: number;
      loss: number | null;
      acc: number | null;
      val_loss: number | null;
      val_acc: number | null;
      lr: number | null;
      seconds: number | null;
      images_per_sec: number | null;
    }[]
  ).map((r) => ({ phase: r.phase, epoch: r.epoch, loss: r.loss, acc: r.acc, valLoss: r.val_loss, valAcc: r.val_acc, lr: r.lr, seconds: r.seconds, imagesPerSec: r.images_per_sec }));
}

/** At start-up: runs left 'running' by a process that died are marked interrupted (resumable). */
export function markInterruptedRuns(db: Db, isAlive: (pid: number) => boolean = () => false): number {
  const rows = db.prepare("SELECT id, config FROM runs WHERE status = 'running'").all() as { id: number; config: string }[];
  let n = 0;
  for (const r of rows) {
    const pid = (JSON.parse(r.config) as { pid?: number }).pid;
    if (pid && isAlive(pid)) continue;
    updateRun(db, r.id, { status: 'interrupted' });
    n++;
  }
  return n;
}
