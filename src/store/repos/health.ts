// SPDX-License-Identifier: MIT
// Perceptual-hash cache, stored evaluation predictions and the dataset fix log (migration 0050).
import type { Db } from '../db';

/** The shape of engine/data/phash's PerceptualHash (the store may not import the engine). */
export interface PerceptualHash {
  dhash: string;
  mean: [number, number, number];
  spread: number;
  thumb: string;
}

export function getHashes(db: Db, sha256s: readonly string[]): Map<string, PerceptualHash> {
  const stmt = db.prepare('SELECT dhash, mean, spread, thumb FROM image_hashes WHERE sha256 = ?');
  const out = new Map<string, PerceptualHash>();
  for (const s of new Set(sha256s)) {
    const r = stmt.get(s) as { dhash: string; mean: string; spread: number; thumb: string } | undefined;
    if (r) out.set(s, { dhash: r.dhash, mean: JSON.parse(r.mean) as [number, number, number], spread: r.spread, thumb: r.thumb });
  }
  return out;
}

export function saveHashes(db: Db, hashes: ReadonlyMap<string, PerceptualHash>): void {
  const stmt = db.prepare('INSERT OR REPLACE INTO image_hashes (sha256, dhash, mean, spread, thumb) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const [s, h] of hashes) stmt.run(s, h.dhash, JSON.stringify(h.mean), h.spread, h.thumb);
  })();
}

/** Merges `patch` into a dataset's JSON summary. */
export function patchDatasetSummary(db: Db, datasetId: number, patch: Record<string, unknown>): void {
  const row = db.prepare('SELECT summary FROM datasets WHERE id = ?').get(datasetId) as { summary: string } | undefined;
  if (!row) return;
  db.prepare('UPDATE datasets SET summary = ? WHERE id = ?').run(JSON.stringify({ ...(JSON.parse(row.summary) as object), ...patch }), datasetId);
}

export interface StoredPrediction {
  path: string;
  label: number;
  predicted: number;
  confidence: number;
  scores: number[];
}

/** Replaces a run's stored predictions (one evaluation per run is kept). */
export function savePredictions(db: Db, runId: number, preds: readonly StoredPrediction[]): void {
  const ins = db.prepare('INSERT OR REPLACE INTO eval_predictions (run_id, rel_path, label, predicted, confidence, scores) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM eval_predictions WHERE run_id = ?').run(runId);
    for (const p of preds) ins.run(runId, p.path, p.label, p.predicted, p.confidence, JSON.stringify(p.scores));
  })();
}

interface PredictionRow {
  rel_path: string;
  label: number;
  predicted: number;
  confidence: number;
  scores: string;
}

/** One confusion cell's predictions, most confident first, paged. */
export function cellPredictions(db: Db, runId: number, label: number, predicted: number, offset: number, limit: number, order: 'desc' | 'asc'): { total: number; items: StoredPrediction[] } {
  const total = (db.prepare('SELECT COUNT(*) AS n FROM eval_predictions WHERE run_id = ? AND label = ? AND predicted = ?').get(runId, label, predicted) as { n: number }).n;
  const rows = db
    .prepare(`SELECT * FROM eval_predictions WHERE run_id = ? AND label = ? AND predicted = ? ORDER BY confidence ${order === 'asc' ? 'ASC' : 'DESC'}, rel_path LIMIT ? OFFSET ?`)
    .all(runId, label, predicted, limit, offset) as PredictionRow[];
  return { total, items: rows.map((r) => ({ path: r.rel_path, label: r.label, predicted: r.predicted, confidence: r.confidence, scores: JSON.parse(r.scores) as number[] })) };
}

export function countPredictions(db: Db, runId: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM eval_predictions WHERE run_id = ?').get(runId) as { n: number }).n;
}

export type FixAction = 'relabel' | 'exclude' | 'trash';

export interface FixRecord {
  id: number;
  datasetId: number;
  action: FixAction;
  path: string;
  toPath: string | null;
  fromClass: string;
  toClass: string | null;
  createdAt: string;
  undoneAt: string | null;
}

interface FixRow {
  id: number;
  dataset_id: number;
  action: FixAction;
  rel_path: string;
  to_path: string | null;
  from_class: string;
  to_class: string | null;
  created_at: string;
  undone_at: string | null;
}

const toFix = (r: FixRow): FixRecord => ({ id: r.id, datasetId: r.dataset_id, action: r.action, path: r.rel_path, toPath: r.to_path, fromClass: r.from_class, toClass: r.to_class, createdAt: r.created_at, undoneAt: r.undone_at });

export function addFix(db: Db, f: { datasetId: number; action: FixAction; path: string; toPath: string | null; fromClass: string; toClass: string | null }): FixRecord {
  const id = Number(db.prepare('INSERT INTO dataset_fixes (dataset_id, action, rel_path, to_path, from_class, to_class) VALUES (?, ?, ?, ?, ?, ?)').run(f.datasetId, f.action, f.path, f.toPath, f.fromClass, f.toClass).lastInsertRowid);
  return getFix(db, id)!;
}

export function getFix(db: Db, id: number): FixRecord | undefined {
  const r = db.prepare('SELECT * FROM dataset_fixes WHERE id = ?').get(id) as FixRow | undefined;
  return r && toFix(r);
}

export function listFixes(db: Db, datasetId: number): FixRecord[] {
  return (db.prepare('SELECT * FROM dataset_fixes WHERE dataset_id = ? ORDER BY id DESC').all(datasetId) as FixRow[]).map(toFix);
}

export function markFixUndone(db: Db, id: number): void {
  db.prepare("UPDATE dataset_fixes SET undone_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?").run(id);
}

/** Sets an image's status; excluded and trashed images are left out of splits and training. */
export function setImageStatus(db: Db, datasetId: number, relPath: string, status: 'ok' | 'excluded' | 'trashed'): void {
  db.prepare('UPDATE images SET status = ? WHERE dataset_id = ? AND rel_path = ?').run(status, datasetId, relPath);
}

export function excludedPaths(db: Db, datasetId: number): string[] {
  return (db.prepare("SELECT rel_path FROM images WHERE dataset_id = ? AND status = 'excluded' ORDER BY rel_path").all(datasetId) as { rel_path: string }[]).map((r) => r.rel_path);
}

/** A relabelled file: same content, new path and class (its hash, size and mtime stay valid). */
export function moveImage(db: Db, datasetId: number, from: string, to: string, className: string): void {
  db.prepare('UPDATE images SET rel_path = ?, class_name = ? WHERE dataset_id = ? AND rel_path = ?').run(to, className, datasetId, from);
}

/** One image's class and status ('ok', 'excluded' or 'trashed'), whatever its status. */
export function imageState(db: Db, datasetId: number, relPath: string): { className: string; status: string } | undefined {
  const r = db.prepare('SELECT class_name, status FROM images WHERE dataset_id = ? AND rel_path = ?').get(datasetId, relPath) as { class_name: string; status: string } | undefined;
  return r && { className: r.class_name, status: r.status };
}
