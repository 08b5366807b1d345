// SPDX-License-Identifier: MIT
// `transfer-studio classify --model MODEL DIR ...`, `classify undo JOB`, `classify jobs`; results,
// correct and export of a finished job are in classify-results.ts.
// The job runs in this process (Ctrl+C cancels it, resumable); progress goes to stderr, or as
// JSON lines to stdout with --json.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ClassifyProgress } from '../../shared/dto/classify-result';
import { AppError } from '../../shared/errors';
import { exportClassifyJob, organizeClassifyJob, undoClassifyOrganize } from '../../services/classify';
import { classifyJob, jobDto, listClassifyJobs, prepareClassifyJob, runClassifyJob } from '../../services/classify-jobs';
import { callEngine, cliDb } from '../context';
import { registerClassifyResults } from './classify-results';
import { formatInt, formatTable, printJson, printJsonLine } from '../output';

interface ClassifyOpts {
  model?: string;
  recursive?: boolean;
  topK?: string;
  threshold?: string;
  out?: string;
  organize?: string;
  copy?: boolean;
  move?: boolean;
  json?: boolean;
  resume?: string;
  batchSize?: string;
  engine?: 'auto' | 'onnxruntime' | 'tfjs';
}

function num(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new AppError('INVALID_ARGUMENT', `${flag} must be ${integer ? 'a whole number' : 'a number'}. Received: ${JSON.stringify(value)}.`, { received: value });
  }
  return n;
}

function formatEta(s: number | null): string {
  if (s === null) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One status line: files, speed, ETA and the most frequent classes so far. */
export function progressLine(p: ClassifyProgress): string {
  const top = Object.entries(p.counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const extra = [p.resumed && `${p.resumed} already done`, p.reused && `${p.reused} reused`, p.problems && `${p.problems} skipped`].filter(Boolean).join(', ');
  return `${formatInt(p.done)}/${formatInt(p.total)} files  ${p.imagesPerSec.toFixed(1)} img/s  ETA ${formatEta(p.etaSeconds)}${top ? `  | ${top}` : ''}${extra ? `  (${extra})` : ''}`;
}

/** `classify --model RUN FILE`: one photo, its top classes and whether it is unsure. */
async function classifyOneFile(file: string, opts: ClassifyOpts): Promise<void> {
  if (!opts.model || !/^\d+$/.test(opts.model.trim())) {
    throw new AppError('INVALID_ARGUMENT', `Classifying one file (${file}) needs --model RUN, a run id (see \`transfer-studio runs\`). Received: ${opts.model ?? 'no --model'}.`, { received: opts.model });
  }
  const r = await callEngine('classify.photo', { runId: Number(opts.model), path: file, topK: num(opts.topK, '--top-k', true) ?? 5 });
  const threshold = num(opts.threshold, '--threshold', false);
  const unsure = threshold === undefined ? r.unsure : r.confidence < threshold;
  const out = { ...r, ...(threshold === undefined ? {} : { threshold, unsure, label: unsure ? null : r.top[0].label }) };
  if (opts.json) {
    printJson({ file: path.resolve(file), ...out });
    return;
  }
  process.stdout.write(`${formatTable(['Class', 'Confidence'], out.top.map((t) => [t.label, `${(t.p * 100).toFixed(1)}%`]), ['left', 'right'])}\n\n`);
  process.stdout.write(`${path.basename(file)}: ${out.unsure ? `unsure (top ${out.top[0].label} at ${(out.confidence * 100).toFixed(1)}%, below ${out.threshold})` : `${out.label} (${(out.confidence * 100).toFixed(1)}%)`}\n`);
}

async function runClassify(dir: string | undefined, opts: ClassifyOpts): Promise<void> {
  if (dir && !opts.resume && statSync(dir, { throwIfNoEntry: false })?.isFile()) return classifyOneFile(dir, opts);
  if (opts.copy && opts.move) throw new AppError('INVALID_ARGUMENT', 'Pass either --copy or --move with --organize, not both.', {});
  if (opts.organize && !opts.copy && !opts.move) throw new AppError('INVALID_ARGUMENT', `--organize ${opts.organize} needs --copy or --move (say which).`, {});
  const db = cliDb();
  const job = await prepareClassifyJob(db, {
    model: opts.model,
    dir,
    recursive: opts.recursive,
    topK: num(opts.topK, '--top-k', true),
    threshold: num(opts.threshold, '--threshold', false),
    resume: num(opts.resume, '--resume', true),
  });
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  if (opts.json) printJsonLine({ type: 'job', jobId: job.jobId, resumed: job.resumed, root: job.params.root, model: job.params.source });
  else process.stderr.write(`${job.resumed ? 'Resuming' : 'Starting'} classify job ${job.jobId}: ${job.params.root} with ${job.params.source}\n`);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const summary = await runClassifyJob(db, job, {
      signal: ac.signal,
      batchSize: num(opts.batchSize, '--batch-size', true),
      engine: opts.engine,
      onProgress: (p) => {
        if (opts.json) printJsonLine({ type: 'progress', jobId: job.jobId, ...p });
        else if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
        else if (performance.now() - lastLine > 5000) {
          lastLine = performance.now();
          process.stderr.write(`${progressLine(p)}\n`);
        }
      },
    });
    if (!opts.json && tty) process.stderr.write('\n');
    const out = opts.out ? await exportClassifyJob(db, job.jobId, opts.out) : null;
    const organized = opts.organize ? await organizeClassifyJob(db, job.jobId, opts.organize, opts.move ? 'move' : 'copy') : null;
    const dto = jobDto(db, classifyJob(db, job.jobId));
    if (opts.json) {
      printJsonLine({ type: 'summary', jobId: job.jobId, engine: summary.engine, fallbackReason: summary.fallbackReason, run: summary, counts: dto.counts, out, organize: organized });
      return;
    }
    const lines = [
      `Job ${job.jobId} ${dto.status}: ${formatInt(dto.counts.classified)} classified (${formatInt(summary.classified)} now, ${formatInt(summary.reused)} reused, ${formatInt(summary.resumed)} from before), ${formatInt(dto.counts.unsure)} unsure, ${formatInt(dto.counts.problems)} skipped.`,
      `Engine: ${summary.engine}${summary.fallbackReason ? ` (${summary.fallbackReason})` : ''}; ${summary.imagesPerSec.toFixed(1)} images/s.`,
    ];
    if (out) lines.push(`Wrote ${formatInt(out.rows)} rows to ${out.path}.`);
    if (organized) {
      lines.push(`${organized.mode === 'move' ? 'Moved' : 'Copied'} ${formatInt(organized.done)} files into ${organized.dest}; undo with \`transfer-studio classify undo ${job.jobId}\`.`);
      for (const s of organized.skipped.slice(0, 20)) lines.push(`  left alone: ${s.path}: ${s.reason}`);
    }
    process.stdout.write(`${formatTable(['Class', 'Files'], Object.entries(dto.counts.byLabel).map(([k, n]) => [k, n]), ['left', 'right'])}\n\n${lines.join('\n')}\n`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export function registerClassify(program: Command): void {
  const cmd = program
    .command('classify')
    .description('label a folder of photos with a trained model (run id or folder) or a zoo model (ImageNet labels); resumable')
    .argument('[dir]', 'folder of images, or one image file (then --model is a run id and the top-k is printed)')
    .option('--model <model>', 'run id, model folder, or zoo model name such as mobilenetv2')
    .option('--recursive', 'include sub-folders')
    .option('--top-k <k>', 'classes to keep per image (default 5)')
    .option('--threshold <p>', 'below this top probability an image is "unsure" (default 0.5)')
    .option('--out <file>', 'write results to a .csv or .json file')
    .option('--organize <dest>', 'sort files into DEST/<class>/ (and DEST/unsure/)')
    .option('--copy', 'with --organize: copy the files')
    .option('--move', 'with --organize: move the files (undo with `classify undo JOB`)')
    .option('--resume <job>', 'resume this job')
    .option('--batch-size <n>', 'images per inference batch (default 16)')
    .option('--engine <engine>', 'auto (default), onnxruntime or tfjs')
    .option('--json', 'print JSON lines (progress, then a summary)')
    .action(async (dir: string | undefined, opts: ClassifyOpts) => runClassify(dir, opts));
  cmd
    .command('undo <job>')
    .description('put back every file an organise run of JOB moved or copied')
    .option('--log <file>', 'a specific undo log (default: the newest not undone)')
    .option('--json', 'print JSON')
    .action(async (jobArg: string, opts: { log?: string; json?: boolean }) => {
      const r = await undoClassifyOrganize(cliDb(), num(jobArg, 'JOB', true)!, opts.log);
      // The parent command also declares --json and takes it first when both could.
      if (opts.json || cmd.opts<ClassifyOpts>().json) printJson(r);
      else {
        process.stdout.write(`Restored ${formatInt(r.restored)} files (${r.logPath}).\n`);
        for (const s of r.skipped) process.stdout.write(`  left alone: ${s.path}: ${s.reason}\n`);
      }
    });
  registerClassifyResults(cmd, () => !!cmd.opts<ClassifyOpts>().json);
  cmd
    .command('jobs')
    .description('list classify jobs')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const jobs = listClassifyJobs(cliDb());
      if (opts.json || cmd.opts<ClassifyOpts>().json) printJson(jobs);
      else {
        process.stdout.write(
          `${formatTable(
            ['Job', 'Status', 'Files', 'Unsure', 'Skipped', 'Model', 'Folder'],
            jobs.map((j) => [j.id, j.status, j.counts.classified, j.counts.unsure, j.counts.problems, j.model, j.root]),
            ['right', 'left', 'right', 'right', 'right', 'left', 'left'],
          )}\n`,
        );
      }
    });
}
