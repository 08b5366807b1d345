// SPDX-License-Identifier: MIT
import type { Command } from 'commander';
import type { DatasetDetail, DatasetSummary, ImportResult } from '../../shared/dto/train';
import { callEngine } from '../context';
import { formatInt, formatTable, printJson } from '../output';

/** Classes with counts, skipped files with reasons, duplicates and what changed since the last import. */
export function formatImport(r: ImportResult): string {
  const d = r.dataset;
  const out = [`Dataset ${d.id}: ${d.root} (${d.layout === 'splits' ? 'split folders' : 'one folder per class'}), ${formatInt(d.images)} images in ${d.classes.length} classes`];
  if (Object.keys(d.userSplits).length) out.push(`Split folders: ${Object.entries(d.userSplits).map(([s, n]) => `${s} ${formatInt(n)}`).join(', ')}`);
  out.push('', formatTable(['Class', 'Images'], d.classes.map((c) => [c, formatInt(d.classCounts[c] ?? 0)]), ['left', 'right']));
  if (d.skipped.length) {
    out.push('', `Skipped ${d.skipped.length} file(s):`, formatTable(['File', 'Problem', 'Reason'], d.skipped.map((s) => [JSON.stringify(s.path).slice(1, -1), s.code, s.reason])));
  } else out.push('', 'No files skipped.');
  out.push(...formatHealth(d));
  if (r.reimport) {
    out.push('', `Since the last import: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${formatInt(r.unchanged)} unchanged.`);
    for (const [label, list] of [['added', r.added], ['removed', r.removed], ['changed', r.changed]] as const) {
      for (const p of list.slice(0, 20)) out.push(`  ${label.padEnd(8)}${p}`);
      if (list.length > 20) out.push(`  ${label.padEnd(8)}... and ${list.length - 20} more`);
    }
  }
  return out.join('\n');
}

/** Similar images (exact and near duplicates), tiny and imbalanced classes, excluded images. */
export function formatHealth(d: DatasetSummary): string[] {
  const out: string[] = [];
  const cross = d.similar.filter((g) => g.crossClass);
  if (d.similar.length) {
    out.push('', `${d.similar.length} group(s) of identical or near-identical images${cross.length ? `, ${cross.length} labelled with different classes` : ''} (identical ones always share one split; near pairs are for you to check):`);
    for (const g of d.similar.slice(0, 20)) out.push(`  ${g.crossClass ? '[different classes] ' : ''}${g.kind === 'exact' ? `[identical] ${g.paths.join('  =  ')}` : `[near] ${g.paths.join('  ~  ')}`}`);
    if (d.similar.length > 20) out.push(`  ... and ${d.similar.length - 20} more (see --json)`);
  }
  if (d.findings.length) out.push('', ...d.findings.map((f) => `warning: ${f.message}`));
  if (d.excluded.length) out.push(`${d.excluded.length} image(s) excluded from training: ${d.excluded.slice(0, 10).join(', ')}${d.excluded.length > 10 ? ', ...' : ''}`);
  return out;
}

/** Groups of similar images the split had spread over train/validation/test, and what was done. */
export function formatLeaks(detail: DatasetDetail): string[] {
  const { leaks, leaksFixed } = detail.split;
  if (!leaks.length) return ['No leakage: no image has a copy or near copy in another split.'];
  const exact = leaks.filter((l) => l.kind === 'exact');
  const near = leaks.filter((l) => l.kind === 'near');
  const list = (ls: typeof leaks) => [
    ...ls.slice(0, 20).map((l) => `  ${l.paths.map((p) => `${p} (${l.before[p]})`).join(', ')}${l.moved ? ` -> all ${l.keptIn}` : ''}`),
    ...(ls.length > 20 ? [`  ... and ${ls.length - 20} more (see --json)`] : []),
  ];
  const out: string[] = [];
  if (exact.length) out.push(`${exact.length} group(s) of identical images fell into different splits${leaksFixed ? '; each is kept in one split' : ' (not fixed: --keep-leaks)'}:`, ...list(exact));
  if (near.length) out.push(`${near.length} pair(s) of near-identical images fell into different splits (not moved; check whether each is the same picture):`, ...list(near));
  return out;
}

/** What `train` says about its data before it starts: the summary line, every skipped file, health and leaks. */
export function formatTrainDataset(r: ImportResult, detail: DatasetDetail): string[] {
  const d = r.dataset;
  const out = [formatImport(r).split('\n')[0]];
  if (d.skipped.length) out.push(`${d.skipped.length} file(s) skipped:`, ...d.skipped.map((s) => `  ${JSON.stringify(s.path).slice(1, -1)}: ${s.reason}`));
  out.push(...formatHealth(d).filter((l) => l !== ''), ...formatLeaks(detail));
  return out;
}

export function registerDatasets(program: Command): void {
  const datasets = program.command('datasets').description('image-folder datasets: import a folder with one subfolder per class');
  datasets
    .command('import <dir>')
    .description('scan a folder (one subfolder per class, or train/val/test folders holding them) and record its images; bad files are listed with the reason')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const r = await callEngine('datasets.import', { root: dir });
      const detail = await callEngine('datasets.get', { id: r.dataset.id });
      if (opts.json) printJson({ ...r, leaks: detail.split.leaks });
      else process.stdout.write(`${formatImport(r)}\n\n${formatLeaks(detail).join('\n')}\n`);
    });
  datasets
    .command('list')
    .description('list imported datasets')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await callEngine('datasets.list', {});
      if (opts.json) printJson(list);
      else process.stdout.write(`${formatTable(['Id', 'Root', 'Classes', 'Images', 'Skipped'], list.map((d) => [d.id, d.root, d.classes.length, formatInt(d.images), d.skipped.length]), ['right', 'left', 'right', 'right', 'right'])}\n`);
    });
}
