// SPDX-License-Identifier: MIT
// `classify results JOB`, `classify correct JOB PATH LABEL|--clear` and `classify export JOB OUT`:
// what the app's Classify step does with a finished job (list, correct with undo, CSV/JSON), through
// the same contract calls, so a correction made in one shows in the other.
import type { Command } from 'commander';
import { AppError } from '../../shared/errors';
import { callEngine } from '../context';
import { formatInt, formatTable, printJson } from '../output';

function jobId(arg: string): number {
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new AppError('INVALID_ARGUMENT', `JOB must be a classify job id (see \`transfer-studio classify jobs\`). Received: ${JSON.stringify(arg)}.`, { received: arg });
  return n;
}

/** `json` is true when either this subcommand or the parent `classify` took --json. */
export function registerClassifyResults(cmd: Command, parentJson: () => boolean): void {
  cmd
    .command('results <job>')
    .description("list a job's results: path, class (your correction where made), confidence")
    .option('--label <label>', "only this class ('unsure' for unsure files)")
    .option('--limit <n>', 'at most N rows (default 1000)')
    .option('--json', 'print JSON')
    .action(async (arg: string, opts: { label?: string; limit?: string; json?: boolean }) => {
      const limit = opts.limit === undefined ? 1000 : Number(opts.limit);
      const page = await callEngine('classify.results', { jobId: jobId(arg), ...(opts.label ? { label: opts.label } : {}), limit });
      if (opts.json || parentJson()) return printJson(page);
      const rows = page.items.map((r) => [r.path, r.problem ? `skipped: ${r.problem.reason}` : r.unsure ? 'unsure' : (r.label ?? ''), r.confidence === null ? '' : `${(r.confidence * 100).toFixed(1)}%`, r.corrected ? `corrected (model: ${r.modelLabel ?? 'unsure'})` : '']);
      process.stdout.write(`${formatTable(['Path', 'Class', 'Confidence', ''], rows, ['left', 'left', 'right', 'left'])}\n${formatInt(page.items.length)} of ${formatInt(page.total)} shown.\n`);
    });
  cmd
    .command('correct <job> <path> [label]')
    .description("set the class of one file of a job (organise and exports use it); --clear puts back the model's")
    .option('--clear', "drop the correction (undo)")
    .option('--json', 'print JSON')
    .action(async (arg: string, rel: string, label: string | undefined, opts: { clear?: boolean; json?: boolean }) => {
      if (!opts.clear === (label === undefined)) throw new AppError('INVALID_ARGUMENT', `Pass either a LABEL or --clear for ${rel}. Received: ${label === undefined ? 'neither' : `${JSON.stringify(label)} and --clear`}.`, { received: label ?? null });
      const r = await callEngine('classify.correct', { jobId: jobId(arg), path: rel, label: opts.clear ? null : label! });
      if (opts.json || parentJson()) return printJson(r);
      process.stdout.write(r.corrected ? `${r.path}: ${r.label} (corrected; the model said ${r.modelLabel ?? 'unsure'}).\n` : `${r.path}: ${r.unsure ? 'unsure' : r.label} (the model's class; no correction).\n`);
    });
  cmd
    .command('export <job> <out>')
    .description("write a job's results to a .csv or .json file, corrections included (as classify --out)")
    .option('--json', 'print JSON')
    .action(async (arg: string, out: string, opts: { json?: boolean }) => {
      const r = await callEngine('classify.export', { jobId: jobId(arg), out });
      if (opts.json || parentJson()) return printJson(r);
      process.stdout.write(`Wrote ${formatInt(r.rows)} rows to ${r.path}.\n`);
    });
}
