// SPDX-License-Identifier: MIT
import type { Db } from '../db';
import type { ScanResult, ScannedImage, SplitName } from '../../shared/dto/dataset-scan';

export interface DatasetRecord {
  id: number;
  projectId: number | null;
  root: string;
  name: string;
  layout: string;
  classes: string[];
  scannedAt: string | null;
  summary: Record<string, unknown>;
}

interface DatasetRow {
  id: number;
  project_id: number | null;
  root: string;
  name: string;
  layout: string;
  classes: string;
  scanned_at: string | null;
  summary: string;
}

const toDataset = (r: DatasetRow): DatasetRecord => ({
  id: r.id,
  projectId: r.project_id,
  root: r.root,
  name: r.name,
  layout: r.layout,
  classes: JSON.parse(r.classes) as string[],
  scannedAt: r.scanned_at,
  summary: JSON.parse(r.summary) as Record<string, unknown>,
});

export function getDataset(db: Db, id: number): DatasetRecord | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  return row && toDataset(row);
}

export function findDatasetByRoot(db: Db, root: string, projectId: number | null): DatasetRecord | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE root = ? AND project_id IS ? ORDER BY id DESC LIMIT 1').get(root, projectId) as DatasetRow | undefined;
  return row && toDataset(row);
}

export function listDatasets(db: Db, projectId?: number): DatasetRecord[] {
  const rows = (projectId === undefined ? db.prepare('SELECT * FROM datasets ORDER BY id').all() : db.prepare('SELECT * FROM datasets WHERE project_id = ? ORDER BY id').all(projectId)) as DatasetRow[];
  return rows.map(toDataset);
}

export interface StoredImage extends ScannedImage {
  id: number;
  assignedSplit: SplitName | null;
}

interface ImageRow {
  id: number;
  rel_path: string;
  class_name: string;
  split: SplitName | null;
  bytes: number;
  mtime_ms: number;
  sha256: string;
  width: number;
  height: number;
  format: ScannedImage['format'];
}

/**
 * Records a scan: the dataset row (created on first import) and its images, in one transaction.
 * Images no longer on disk are deleted; changed ones updated; assigned splits of unchanged files kept.
 */
export function saveScan(db: Db, scan: ScanResult, opts: { projectId: number | null; name: string; datasetId?: number }): DatasetRecord {
  const summary = { skipped: scan.skipped, duplicates: scan.duplicates, classCounts: scan.classCounts };
  return db.transaction(() => {
    let id = opts.datasetId;
    if (id === undefined) {
      id = Number(
        db
          .prepare("INSERT INTO datasets (project_id, root, name, layout, classes, scanned_at, summary) VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?)")
          .run(opts.projectId, scan.root, opts.name, scan.layout, JSON.stringify(scan.classes), JSON.stringify(summary)).lastInsertRowid,
      );
    } else {
      db.prepare("UPDATE datasets SET layout = ?, classes = ?, scanned_at = strftime('%Y-%m-%dT%H:%M:%fZ','now'), summary = ? WHERE id = ?").run(
        scan.layout,
        JSON.stringify(scan.classes),
        JSON.stringify(summary),
        id,
      );
    }
    const existing = new Map((db.prepare('SELECT rel_path, sha256 FROM images WHERE dataset_id = ?').all(id) as { rel_path: string; sha256: string }[]).map((r) => [r.rel_path, r.sha256]));
    const insert = db.prepare(
      'INSERT INTO images (dataset_id, rel_path, class_name, split, bytes, mtime_ms, sha256, width, height, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const update = db.prepare('UPDATE images SET class_name = ?, split = ?, bytes = ?, mtime_ms = ?, sha256 = ?, width = ?, height = ?, format = ? WHERE dataset_id = ? AND rel_path = ?');
    const remove = db.prepare('DELETE FROM images WHERE dataset_id = ? AND rel_path = ?');
    const seen = new Set<string>();
    for (const im of scan.images) {
      seen.add(im.path);
      const prior = existing.get(im.path);
      if (prior === undefined) insert.run(id, im.path, im.className, im.split ?? null, im.bytes, Math.round(im.mtimeMs), im.sha256, im.width, im.height, im.format);
      else if (prior !== im.sha256) update.run(im.className, im.split ?? null, im.bytes, Math.round(im.mtimeMs), im.sha256, im.width, im.height, im.format, id, im.path);
    }
    for (const p of existing.keys()) if (!seen.has(p)) remove.run(id, p);
    return getDataset(db, id)!;
  })();
}

/** The dataset's images; those excluded from training or trashed (dataset fixes) only with `includeExcluded`. */
export function listImages(db: Db, datasetId: number, opts: { includeExcluded?: boolean } = {}): StoredImage[] {
  const sql = opts.includeExcluded ? 'SELECT * FROM images WHERE dataset_id = ? ORDER BY rel_path' : "SELECT * FROM images WHERE dataset_id = ? AND status NOT IN ('excluded', 'trashed') ORDER BY rel_path";
  return (db.prepare(sql).all(datasetId) as ImageRow[]).map((r) => ({
    id: r.id,
    path: r.rel_path,
    className: r.class_name,
    bytes: r.bytes,
    mtimeMs: r.mtime_ms,
    sha256: r.sha256,
    width: r.width,
    height: r.height,
    format: r.format,
    assignedSplit: r.split,
    ...(r.split ? { split: r.split } : {}),
  }));
}

/** Stores the split each image was given (so evaluation later uses the same test images). */
export function assignSplits(db: Db, datasetId: number, splits: Record<string, SplitName>): void {
  const stmt = db.prepare('UPDATE images SET split = ? WHERE dataset_id = ? AND rel_path = ?');
  db.transaction(() => {
    for (const [p, s] of Object.entries(splits)) stmt.run(s, datasetId, p);
  })();
}
