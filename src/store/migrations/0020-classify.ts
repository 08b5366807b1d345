// SPDX-License-Identifier: MIT
import type { Database } from 'better-sqlite3';

/**
 * Classification lookups: reuse by content hash within a job (reruns classify only new or changed
 * files) and result pages filtered by label.
 */
export default function migrate0020(db: Database): void {
  db.exec(`
    CREATE INDEX classification_results_byHash ON classification_results(job_id, sha256);
    CREATE INDEX classification_results_byLabel ON classification_results(job_id, label);
    CREATE INDEX jobs_byKind ON jobs(kind, id);
  `);
}
