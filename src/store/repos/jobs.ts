// SPDX-License-Identifier: MIT
import type { Db } from '../db';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRecord {
  id: number;
  kind: string;
  status: JobStatus;
  params: Record<string, unknown>;
  progress: Record<string, unknown>;
  error: string | null;
  pid: number | null;
  createdAt: string;
  updatedAt: string;
}

interface JobRow {
  id: number;
  kind: string;
  status: JobStatus;
  params: string;
  progress: string;
  error: string | null;
  pid: number | null;
  created_at: string;
  updated_at: string;
}

const toJob = (r: JobRow): JobRecord => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  params: JSON.parse(r.params) as Record<string, unknown>,
  progress: JSON.parse(r.progress) as Record<string, unknown>,
  error: r.error,
  pid: r.pid,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function createJob(db: Db, kind: string, params: object): JobRecord {
  const id = Number(db.prepare("INSERT INTO jobs (kind, status, params, pid) VALUES (?, 'running', ?, ?)").run(kind, JSON.stringify(params), process.pid).lastInsertRowid);
  return getJob(db, id)!;
}

export function getJob(db: Db, id: number): JobRecord | undefined {
  const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return row && toJob(row);
}

export function listJobs(db: Db, kind?: string): JobRecord[] {
  const rows = (kind ? db.prepare('SELECT * FROM jobs WHERE kind = ? ORDER BY id DESC').all(kind) : db.prepare('SELECT * FROM jobs ORDER BY id DESC').all()) as JobRow[];
  return rows.map(toJob);
}

export function updateJob(db: Db, id: number, patch: { status?: JobStatus; progress?: object; error?: string | null; pid?: number | null }): void {
  const sets = ["updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')"];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    values.push(value);
  };
  if (patch.status !== undefined) set('status', patch.status);
  if (patch.progress !== undefined) set('progress', JSON.stringify(patch.progress));
  if (patch.error !== undefined) set('error', patch.error);
  if (patch.pid !== undefined) set('pid', patch.pid);
  db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** At start-up: jobs left 'running' by a dead process become 'interrupted', ready to resume. */
export function markInterruptedJobs(db: Db, isAlive: (pid: number) => boolean = isProcessAlive): number {
  const rows = db.prepare("SELECT id, pid FROM jobs WHERE status = 'running'").all() as { id: number; pid: number | null }[];
  let n = 0;
  for (const r of rows) {
    if (r.pid !== null && r.pid !== process.pid && isAlive(r.pid)) continue;
    if (r.pid === process.pid) continue;
    updateJob(db, r.id, { status: 'interrupted' });
    n++;
  }
  return n;
}
