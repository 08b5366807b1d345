// SPDX-License-Identifier: MIT
// Classification results as CSV or JSON, streamed row by row from any iterable (the store pages
// through SQLite), so exporting 100,000 results never holds them all.
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { AppError } from '../../shared/errors';
import { classifyRowView, type StoredClassifyRow } from '../../shared/dto/classify-result';

/** A stored result: the model's answer plus a hand correction, if any. */
export type ExportRow = StoredClassifyRow;

export type ExportFormat = 'csv' | 'json';

/** `csv` or `json` from the file name. @throws AppError INVALID_ARGUMENT for other extensions */
export function exportFormatOf(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  throw new AppError('INVALID_ARGUMENT', `--out must end in .csv or .json. Received: ${file}.`, { received: file });
}

/** RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `path,label,confidence,top1_label,top1_p,...,unsure,problem,model_label` (label is the corrected one when set). */
export function csvHeader(topK: number): string[] {
  const cols = ['path', 'label', 'confidence'];
  for (let i = 1; i <= topK; i++) cols.push(`top${i}_label`, `top${i}_p`);
  return [...cols, 'unsure', 'problem', 'model_label'];
}

export function csvRow(r: ExportRow, topK: number): string[] {
  const v = classifyRowView(r);
  const cells: (string | number | null)[] = [v.path, v.label, v.confidence];
  for (let i = 0; i < topK; i++) cells.push(v.topk[i]?.label ?? null, v.topk[i]?.p ?? null);
  cells.push(v.problem ? '' : v.unsure ? 1 : 0, v.problem ? `${v.problem.code}: ${v.problem.reason}` : null, v.modelLabel);
  return cells.map(csvField);
}

const jsonRow = (r: ExportRow): object => classifyRowView(r);

/**
 * Writes `rows` to `file` (.csv or .json) through a temporary file renamed at the end, so a
 * reader never sees half an export. `header` goes into the JSON document's `job` field.
 * @returns the number of rows written
 * @throws AppError INVALID_ARGUMENT for another extension; file-system errors as they come.
 */
export async function writeResults(file: string, rows: Iterable<ExportRow>, opts: { topK: number; header?: object }): Promise<number> {
  const format = exportFormatOf(file);
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let n = 0;
  try {
    if (format === 'csv') {
      await write(`${csvHeader(opts.topK).join(',')}\n`);
      for (const r of rows) {
        await write(`${csvRow(r, opts.topK).join(',')}\n`);
        n++;
      }
    } else {
      await write(`{"job":${JSON.stringify(opts.header ?? {})},"results":[\n`);
      for (const r of rows) {
        await write(`${n ? ',\n' : ''}${JSON.stringify(jsonRow(r))}`);
        n++;
      }
      await write('\n]}\n');
    }
    out.end();
    await once(out, 'finish');
    await fs.rename(tmp, file);
  } catch (err) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return n;
}

/** Parses one CSV line written by `csvRow` (quoted fields, doubled quotes); for tests and imports. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
