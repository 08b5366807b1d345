// SPDX-License-Identifier: MIT
import type { Database } from 'better-sqlite3';

/**
 * Dataset health and fixes: perceptual hashes cached by content (a re-import or another dataset
 * holding the same file never decodes it again), every prediction of a run's evaluation (so each
 * confusion cell can list all its images, sorted by confidence), and the log of fixes made from
 * there (relabel, exclude, trash) that undo reads back. Excluded images keep their row with
 * images.status = 'excluded'.
 */
export default function migrate0050(db: Database): void {
  db.exec(`
    CREATE TABLE image_hashes (
      sha256 TEXT PRIMARY KEY,
      dhash TEXT NOT NULL,
      mean TEXT NOT NULL,
      spread REAL NOT NULL,
      -- 18x16 greyscale thumbnail (hex): near matches are confirmed on pixels, never on the hash alone
      thumb TEXT NOT NULL
    ) STRICT;

    CREATE TABLE eval_predictions (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      rel_path TEXT NOT NULL,
      label INTEGER NOT NULL,
      predicted INTEGER NOT NULL,
      confidence REAL NOT NULL,
      scores TEXT NOT NULL,
      PRIMARY KEY (run_id, rel_path)
    ) STRICT;
    CREATE INDEX eval_predictions_byCell ON eval_predictions(run_id, label, predicted, confidence);

    CREATE TABLE dataset_fixes (
      id INTEGER PRIMARY KEY,
      dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
      action TEXT NOT NULL CHECK (action IN ('relabel','exclude','trash')),
      rel_path TEXT NOT NULL,
      -- relabel: the new path inside the dataset; trash: the absolute path in the trash folder
      to_path TEXT,
      from_class TEXT NOT NULL,
      to_class TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      undone_at TEXT
    ) STRICT;
    CREATE INDEX dataset_fixes_byDataset ON dataset_fixes(dataset_id, id);
  `);
}
