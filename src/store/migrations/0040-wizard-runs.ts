// SPDX-License-Identifier: MIT
import type { Database } from 'better-sqlite3';

/**
 * The wizard's place and choices per project, and which project was open last (browser mode loses
 * localStorage whenever `serve` picks a new port, so the database is the only memory that lasts).
 * Runs gain a name the user may give them and the "unsure" threshold picked on their validation set.
 */
export default function migrate0040(db: Database): void {
  db.exec(`
    CREATE TABLE wizard_state (
      project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
      step TEXT,
      choices TEXT NOT NULL DEFAULT '{}',
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ) STRICT;

    CREATE TABLE app_state (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    ALTER TABLE runs ADD COLUMN name TEXT;
    ALTER TABLE runs ADD COLUMN threshold REAL;
  `);
}
