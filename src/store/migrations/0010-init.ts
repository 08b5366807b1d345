// SPDX-License-Identifier: MIT
import type { Database } from 'better-sqlite3';

/** The domain tables, even those later features fill. Frozen once released: fix with a new migration. */
export default function migrate0010(db: Database): void {
  db.exec(`
    CREATE TABLE projects (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      settings TEXT NOT NULL DEFAULT '{}'
    ) STRICT;

    CREATE TABLE datasets (
      id INTEGER PRIMARY KEY,
      project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
      root TEXT NOT NULL,
      name TEXT NOT NULL,
      classes TEXT NOT NULL DEFAULT '[]',
      layout TEXT NOT NULL DEFAULT 'classes',
      scanned_at TEXT,
      -- skipped files, duplicates and split settings as JSON: read whole, never queried by field
      summary TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    CREATE INDEX datasets_byProject ON datasets(project_id);

    CREATE TABLE images (
      id INTEGER PRIMARY KEY,
      dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
      rel_path TEXT NOT NULL,
      class_name TEXT NOT NULL,
      split TEXT CHECK (split IN ('train','validation','test')),
      format TEXT,
      bytes INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      width INTEGER,
      height INTEGER,
      status TEXT NOT NULL DEFAULT 'ok',
      problem TEXT,
      UNIQUE (dataset_id, rel_path)
    ) STRICT;
    CREATE INDEX images_byHash ON images(sha256);

    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
      dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
      backbone TEXT NOT NULL,
      weights TEXT NOT NULL,
      config TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
      backend TEXT,
      engine_notes TEXT,
      dir TEXT,
      error TEXT,
      started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      finished_at TEXT,
      evaluation TEXT
    ) STRICT;
    CREATE INDEX runs_byProject ON runs(project_id);

    CREATE TABLE epoch_metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      phase INTEGER NOT NULL,
      epoch INTEGER NOT NULL,
      loss REAL,
      acc REAL,
      val_loss REAL,
      val_acc REAL,
      lr REAL,
      seconds REAL,
      images_per_sec REAL,
      PRIMARY KEY (run_id, phase, epoch)
    ) STRICT;

    CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
      name TEXT NOT NULL,
      path TEXT NOT NULL,
      format TEXT NOT NULL,
      labels TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ) STRICT;

    CREATE TABLE exports (
      id INTEGER PRIMARY KEY,
      model_id INTEGER REFERENCES models(id) ON DELETE CASCADE,
      run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
      format TEXT NOT NULL,
      path TEXT NOT NULL,
      files TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ) STRICT;

    CREATE TABLE jobs (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
      params TEXT NOT NULL DEFAULT '{}',
      progress TEXT NOT NULL DEFAULT '{}',
      error TEXT,
      pid INTEGER,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ) STRICT;
    CREATE INDEX jobs_byStatus ON jobs(status);

    CREATE TABLE classification_results (
      job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      rel_path TEXT NOT NULL,
      sha256 TEXT,
      label TEXT,
      confidence REAL,
      topk TEXT NOT NULL DEFAULT '[]',
      unsure INTEGER NOT NULL DEFAULT 0,
      corrected_label TEXT,
      problem TEXT,
      PRIMARY KEY (job_id, rel_path)
    ) STRICT;
  `);
}
