// SPDX-License-Identifier: MIT
// `fixes cell RUN TRUE PREDICTED` (a confusion cell's images by confidence), `fixes relabel|exclude|
// trash DATASET PATH`, `fixes undo FIX`, `fixes list DATASET`: what the Evaluate step does to a
// dataset, from a terminal, through the same contract methods. Retrain with `train --retrain RUN`.
import type { Command } from 'commander';
import type { CellPage, FixDto } from '../../shared/dto/fixes';
import { AppError } from '../../shared/errors';
import { callEngine } from '../context';
import { formatTable, printJson } from '../output';

const id = (what: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new AppError('INVALID_ARGUMENT', `${what} must be a positive whole number. Received: ${v}.`);
  return n;
};

/** A class given by name or by index. */
function classIndex(v: string, names: readonly string[], what: string): number {
  const byName = names.indexOf(v);
  if (byName >= 0) return byName;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 0 && n < names.length) return n;
  throw new AppError('INVALID_ARGUMENT', `${what} ${JSON.stringify(v)} is not a class of this run. Its classes: ${names.join(', ')} (or 0..${names.length - 1}).`, { received: v });
}

export function formatFix(f: FixDto): string {
  const what = f.action === 'relabel' ? `${f.path} -> ${f.toPath} (${f.fromClass} -> ${f.toClass})` : f.action === 'trash' ? `${f.path} -> ${f.toPath}` : `${f.path} left out of training`;
  return `Fix ${f.id}: ${f.action} ${what}${f.undoneAt ? ` (undone ${f.undoneAt})` : ''}`;
}

export function formatCell(page: CellPage, names: readonly string[]): string {
  const head = `${page.total} image(s) of true ${names[page.label]} predicted ${names[page.predicted]} (run ${page.runId}, dataset ${page.datasetId} at ${page.root})`;
  if (!page.items.length) return head;
  const rows = page.items.map((it, i) => [page.offset + i + 1, `${(it.confidence * 100).toFixed(1)}%`, it.path, it.fix ? `${it.fix.action} (fix ${it.fix.id})` : '']);
  const more = page.offset + page.items.length < page.total ? `\n... ${page.total - page.offset - page.items.length} more: --offset ${page.offset + page.items.length}` : '';
  return `${head}\n${formatTable(['#', 'Confidence', 'Image', 'Fixed'], rows, ['right', 'right', 'left', 'left'])}${more}`;
}

export function registerFixes(program: Command): void {
  const cmd = program.command('fixes').description('fix what evaluation finds: list a confusion cell, relabel, exclude or trash an image, undo');
  cmd
    .command('cell <run> <true> <predicted>')
    .description('images of one confusion cell (the diagonal too), most confident first; classes by name or index')
    .option('--offset <n>', 'skip this many', (v) => Number(v))
    .option('--limit <n>', 'at most this many (default 48, max 200)', id('--limit'))
    .option('--asc', 'least confident first')
    .option('--json', 'print JSON')
    .action(async (run: string, truth: string, predicted: string, opts: { offset?: number; limit?: number; asc?: boolean; json?: boolean }) => {
      const runId = id('RUN')(run);
      const r = await callEngine('runs.get', { id: runId });
      if (!r.evaluation) throw new AppError('NOT_FOUND', `Run ${runId} has no evaluation yet; run \`transfer-studio eval ${runId}\` first.`, { runId });
      const names = r.evaluation.classNames;
      const page = await callEngine('eval.cell', {
        runId,
        label: classIndex(truth, names, 'TRUE'),
        predicted: classIndex(predicted, names, 'PREDICTED'),
        ...(opts.offset !== undefined ? { offset: opts.offset } : {}),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        ...(opts.asc ? { order: 'asc' as const } : {}),
      });
      if (opts.json) printJson(page);
      else process.stdout.write(`${formatCell(page, names)}\n`);
    });
  const apply = async (input: Parameters<typeof callEngine<'fixes.apply'>>[1], json?: boolean) => {
    const f = await callEngine('fixes.apply', input);
    if (json) printJson(f);
    else process.stdout.write(`${formatFix(f)}\nUndo with: transfer-studio fixes undo ${f.id}\n`);
  };
  cmd
    .command('relabel <dataset> <path> <class>')
    .description("move an image's file to another class folder (PATH relative to the dataset folder)")
    .option('--json', 'print JSON')
    .action(async (dataset: string, p: string, toClass: string, opts: { json?: boolean }) => apply({ action: 'relabel', datasetId: id('DATASET')(dataset), path: p, toClass }, opts.json));
  cmd
    .command('exclude <dataset> <path>')
    .description('leave an image out of training and evaluation (the file stays)')
    .option('--json', 'print JSON')
    .action(async (dataset: string, p: string, opts: { json?: boolean }) => apply({ action: 'exclude', datasetId: id('DATASET')(dataset), path: p }, opts.json));
  cmd
    .command('trash <dataset> <path>')
    .description("move an image's file to the project trash folder (restorable with fixes undo)")
    .option('--json', 'print JSON')
    .action(async (dataset: string, p: string, opts: { json?: boolean }) => apply({ action: 'trash', datasetId: id('DATASET')(dataset), path: p }, opts.json));
  cmd
    .command('undo <fix>')
    .description('undo a fix: the file goes back, an excluded image is included again')
    .option('--json', 'print JSON')
    .action(async (fix: string, opts: { json?: boolean }) => {
      const f = await callEngine('fixes.undo', { id: id('FIX')(fix) });
      if (opts.json) printJson(f);
      else process.stdout.write(`${formatFix(f)}\n`);
    });
  cmd
    .command('list <dataset>')
    .description("a dataset's fixes, newest first")
    .option('--json', 'print JSON')
    .action(async (dataset: string, opts: { json?: boolean }) => {
      const fixes = await callEngine('fixes.list', { datasetId: id('DATASET')(dataset) });
      if (opts.json) printJson(fixes);
      else process.stdout.write(`${fixes.length ? fixes.map(formatFix).join('\n') : 'No fixes.'}\n`);
    });
}
