// SPDX-License-Identifier: MIT
// Rows of the `exports` table (0010-init): what was exported, where, and the sha256 of every file.
import type { Db } from '../db';

export interface ExportFileRecord {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExportRecord {
  id: number;
  modelId: number | null;
  runId: number | null;
  format: string;
  path: string;
  files: ExportFileRecord[];
  createdAt: string;
}

interface ExportRow {
  id: number;
  model_id: number | null;
  run_id: number | null;
  format: string;
  path: string;
  files: string;
  created_at: string;
}

const toExport = (r: ExportRow): ExportRecord => ({
  id: r.id,
  modelId: r.model_id,
  runId: r.run_id,
  format: r.format,
  path: r.path,
  files: JSON.parse(r.files) as ExportFileRecord[],
  createdAt: r.created_at,
});

export function recordExport(db: Db, e: { modelId?: number | null; runId?: number | null; format: string; path: string; files: ExportFileRecord[] }): ExportRecord {
  const id = Number(
    db
      .prepare('INSERT INTO exports (model_id, run_id, format, path, files) VALUES (?, ?, ?, ?, ?)')
      .run(e.modelId ?? null, e.runId ?? null, e.format, e.path, JSON.stringify(e.files)).lastInsertRowid,
  );
  return toExport(db.prepare('SELECT * FROM exports WHERE id = ?').get(id) as ExportRow);
}

export function listExports(db: Db, runId?: number): ExportRecord[] {
  const rows = (runId === undefined ? db.prepare('SELECT * FROM exports ORDER BY id DESC').all() : db.prepare('SELECT * FROM exports WHERE run_id = ? ORDER BY id DESC').all(runId)) as ExportRow[];
  return rows.map(toExport);
}
