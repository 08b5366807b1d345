// SPDX-License-Identifier: MIT
// classification_results: one row per file of a classify job, written as produced. Pages and
// exports read with keyset pagination (rel_path > last), so no statement stays open across an
// await and memory does not grow with the folder.
import type { ClassifiedFile, TopKEntry } from '../../shared/dto/classify-result';
import type { Db } from '../db';
import { getJob, type JobRecord } from './jobs';

export const CLASSIFY_JOB_KIND = 'classify';

export interface StoredResult extends ClassifiedFile {
  correctedLabel: string | null;
}

interface ResultRow {
  rel_path: string;
  sha256: string | null;
  label: string | null;
  confidence: number | null;
  topk: string;
  unsure: number;
  corrected_label: string | null;
  problem: string | null;
}

/** Problems are stored as `CODE: reason` in the one `problem` column. */
function encodeProblem(p: ClassifiedFile['problem']): string | null {
  return p ? `${p.code}: ${p.reason}` : null;
}

function decodeProblem(s: string | null): ClassifiedFile['problem'] {
  if (s === null) return null;
  const i = s.indexOf(': ');
  return { code: (i > 0 ? s.slice(0, i) : 'CORRUPT') as NonNullable<ClassifiedFile['problem']>['code'], reason: i > 0 ? s.slice(i + 2) : s };
}

const toResult = (r: ResultRow): StoredResult => ({
  relPath: r.rel_path,
  sha256: r.sha256,
  label: r.label,
  confidence: r.confidence,
  topk: (JSON.parse(r.topk) as [string, number][]).map(([label, p]) => ({ label, p })),
  unsure: r.unsure === 1,
  problem: decodeProblem(r.problem),
  correctedLabel: r.corrected_label,
});

const topkJson = (t: readonly TopKEntry[]) => JSON.stringify(t.map((e) => [e.label, e.p]));

/** Stores results in one transaction; a path already stored for the job is replaced. */
export function insertResults(db: Db, jobId: number, results: readonly ClassifiedFile[]): void {
  const stmt = db.prepare(
    `INSERT OR REPLACE INTO classification_results (job_id, rel_path, sha256, label, confidence, topk, unsure, corrected_label, problem)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
  );
  db.transaction(() => {
    for (const r of results) stmt.run(jobId, r.relPath, r.sha256, r.label, r.confidence, topkJson(r.topk), r.unsure ? 1 : 0, encodeProblem(r.problem));
  })();
}

export function hasResult(db: Db, jobId: number, relPath: string): boolean {
  return db.prepare('SELECT 1 FROM classification_results WHERE job_id = ? AND rel_path = ?').get(jobId, relPath) !== undefined;
}

export function getResult(db: Db, jobId: number, relPath: string): StoredResult | undefined {
  const row = db.prepare('SELECT * FROM classification_results WHERE job_id = ? AND rel_path = ?').get(jobId, relPath) as ResultRow | undefined;
  return row && toResult(row);
}

/** A classified (not failed) result of `jobId` for identical bytes, preferring the same path. */
export function findByHash(db: Db, jobId: number, relPath: string, sha256: string): StoredResult | undefined {
  const row = db
    .prepare('SELECT * FROM classification_results WHERE job_id = ? AND sha256 = ? AND problem IS NULL ORDER BY rel_path = ? DESC LIMIT 1')
    .get(jobId, sha256, relPath) as ResultRow | undefined;
  return row && toResult(row);
}

export interface ResultCounts {
  total: number;
  classified: number;
  problems: number;
  unsure: number;
  corrected: number;
  /** Final label (the correction when there is one) → files; unsure files under 'unsure'. */
  byLabel: Record<string, number>;
}

export function countResults(db: Db, jobId: number): ResultCounts {
  const t = db
    .prepare(
      `SELECT count(*) total, count(label) classified, count(problem) problems, sum(unsure) unsure, count(corrected_label) corrected
       FROM classification_results WHERE job_id = ?`,
    )
    .get(jobId) as { total: number; classified: number; problems: number; unsure: number | null; corrected: number };
  const rows = db
    .prepare(
      `SELECT CASE WHEN corrected_label IS NULL AND unsure = 1 THEN 'unsure' ELSE coalesce(corrected_label, label) END l, count(*) n
       FROM classification_results WHERE job_id = ? AND label IS NOT NULL GROUP BY l ORDER BY n DESC`,
    )
    .all(jobId) as { l: string; n: number }[];
  return { ...t, unsure: t.unsure ?? 0, byLabel: Object.fromEntries(rows.map((r) => [r.l, r.n])) };
}

export interface ResultFilter {
  /** Final label; 'unsure' matches unsure files. */
  label?: string;
  minConfidence?: number;
  maxConfidence?: number;
  /** Only files that could not be classified. */
  problems?: boolean;
}

function where(f: ResultFilter): { sql: string; args: unknown[] } {
  const parts = ['job_id = ?'];
  const args: unknown[] = [];
  if (f.label === 'unsure') parts.push('corrected_label IS NULL AND unsure = 1');
  else if (f.label !== undefined) {
    parts.push('coalesce(corrected_label, label) = ?');
    args.push(f.label);
  }
  if (f.minConfidence !== undefined) {
    parts.push('confidence >= ?');
    args.push(f.minConfidence);
  }
  if (f.maxConfidence !== undefined) {
    parts.push('confidence <= ?');
    args.push(f.maxConfidence);
  }
  if (f.problems) parts.push('problem IS NOT NULL');
  return { sql: parts.join(' AND '), args };
}

export function pageResults(db: Db, jobId: number, f: ResultFilter, offset: number, limit: number): { total: number; items: StoredResult[] } {
  const w = where(f);
  const total = (db.prepare(`SELECT count(*) n FROM classification_results WHERE ${w.sql}`).get(jobId, ...w.args) as { n: number }).n;
  const rows = db.prepare(`SELECT * FROM classification_results WHERE ${w.sql} ORDER BY rel_path LIMIT ? OFFSET ?`).all(jobId, ...w.args, limit, offset) as ResultRow[];
  return { total, items: rows.map(toResult) };
}

/** Every result of a job in path order, fetched `chunk` rows at a time. */
export function* iterateResults(db: Db, jobId: number, f: ResultFilter = {}, chunk = 500): Generator<StoredResult> {
  const w = where(f);
  const stmt = db.prepare(`SELECT * FROM classification_results WHERE ${w.sql} AND rel_path > ? ORDER BY rel_path LIMIT ?`);
  let last = '';
  for (;;) {
    const rows = stmt.all(jobId, ...w.args, last, chunk) as ResultRow[];
    for (const r of rows) yield toResult(r);
    if (rows.length < chunk) return;
    last = rows[rows.length - 1].rel_path;
  }
}

/** Sets (or with null clears) the hand-corrected label. @returns false when the job has no such file. */
export function correctResult(db: Db, jobId: number, relPath: string, label: string | null): boolean {
  return db.prepare('UPDATE classification_results SET corrected_label = ? WHERE job_id = ? AND rel_path = ?').run(label, jobId, relPath).changes > 0;
}

/**
 * Classify jobs on the same folder with the same model and walk, newest first. Resume picks an
 * unfinished one; a rerun reuses the results of a finished one.
 */
export function findClassifyJobs(db: Db, root: string, modelKey: string, recursive: boolean): JobRecord[] {
  const ids = db
    .prepare(
      `SELECT id FROM jobs WHERE kind = ? AND json_extract(params, '$.root') = ? AND json_extract(params, '$.modelKey') = ?
       AND coalesce(json_extract(params, '$.recursive'), 0) = ? ORDER BY id DESC`,
    )
    .pluck()
    .all(CLASSIFY_JOB_KIND, root, modelKey, recursive ? 1 : 0) as number[];
  return ids.map((id) => getJob(db, id)!);
}
