// SPDX-License-Identifier: MIT
// `runs` (list), `runs rename RUN NAME`, `runs rm RUN`, `runs threshold RUN P`: the runs history
// the app shows, from a terminal. Every one goes through the same contract methods as the app.
import type { Command } from 'commander';
import { AppError } from '../../shared/errors';
import type { RunSummary } from '../../shared/dto/train';
import { callEngine } from '../context';
import { formatPct, formatTable, printJson } from '../output';
import { registerRunsImport } from './runs-import';

const runId = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new AppError('INVALID_ARGUMENT', `RUN must be a run id (a whole number, see \`transfer-studio runs\`). Received: ${v}.`);
  return n;
};

export function formatRuns(runs: readonly RunSummary[]): string {
  return formatTable(
    ['Run', 'Name', 'Status', 'Backbone', 'Weights', 'Project', 'Accuracy', 'Unsure below', 'Started'],
    runs.map((r) => [r.id, r.name ?? '-', r.status, r.backbone, r.weights, r.projectId ?? '-', r.accuracy === null ? '-' : formatPct(r.accuracy), r.threshold ?? '-', r.startedAt.replace('T', ' ').slice(0, 19)]),
    ['right', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'left'],
  );
}

export function registerRuns(program: Command): void {
  const cmd = program
    .command('runs')
    .description('list training runs (CLI and app alike) with name, status and test accuracy; rename, delete or set a threshold')
    .option('--project <id>', 'only the runs of this project', (v) => runId(v))
    .option('--json', 'print JSON')
    .action(async (opts: { project?: number; json?: boolean }) => {
      const runs = await callEngine('runs.list', opts.project ? { projectId: opts.project } : {});
      if (opts.json) printJson(runs);
      else process.stdout.write(`${formatRuns(runs)}\n`);
    });
  // The parent declares --json too and takes it first when both could: read both.
  const json = (opts: { json?: boolean }) => opts.json || cmd.opts<{ json?: boolean }>().json;
  registerRunsImport(cmd, json);
  cmd
    .command('rename <run> <name>')
    .description('give a run a name (an empty name clears it)')
    .option('--json', 'print JSON')
    .action(async (run: string, name: string, opts: { json?: boolean }) => {
      const r = await callEngine('runs.rename', { id: runId(run), name: name.trim() || null });
      if (json(opts)) printJson(r);
      else process.stdout.write(`Run ${r.id} is now ${r.name ? `"${r.name}"` : 'unnamed'}.\n`);
    });
  cmd
    .command('rm <run>')
    .alias('delete')
    .description("delete a run: its record, epochs and its folder (checkpoints, model); exports elsewhere stay")
    .option('--keep-files', 'keep the run folder on disk')
    .option('--json', 'print JSON')
    .action(async (run: string, opts: { keepFiles?: boolean; json?: boolean }) => {
      const r = await callEngine('runs.delete', { id: runId(run), ...(opts.keepFiles ? { keepFiles: true } : {}) });
      if (json(opts)) printJson(r);
      else process.stdout.write(`Deleted run ${run}${r.removedDir ? ` and ${r.removedDir}` : ''}.\n`);
    });
  cmd
    .command('threshold <run> <p>')
    .description('set the "unsure" threshold of a run (0..1, or "default"); classify and exports use it')
    .option('--json', 'print JSON')
    .action(async (run: string, p: string, opts: { json?: boolean }) => {
      const threshold = p === 'default' ? null : Number(p);
      if (threshold !== null && !(threshold >= 0 && threshold <= 1)) throw new AppError('INVALID_ARGUMENT', `P must be a probability from 0 to 1, or "default". Received: ${p}.`);
      const r = await callEngine('runs.setThreshold', { id: runId(run), threshold });
      if (json(opts)) printJson(r);
      else process.stdout.write(`Run ${r.id}: predictions below ${r.threshold ?? 0.5} are "unsure"${r.threshold === null ? ' (the default)' : ''}.\n`);
    });
}
