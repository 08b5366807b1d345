// SPDX-License-Identifier: MIT
import type { Command } from 'commander';
import type { ImportResult } from '../../shared/dto/train';
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
  const cross = d.duplicates.filter((g) => g.crossClass);
  if (d.duplicates.length) {
    out.push('', `${d.duplicates.length} group(s) of identical files${cross.length ? `, ${cross.length} labelled with different classes` : ''}:`);
    for (const g of d.duplicates.slice(0, 20)) out.push(`  ${g.crossClass ? '[different classes] ' : ''}${g.paths.join('  =  ')}`);
    if (d.duplicates.length > 20) out.push(`  ... and ${d.duplicates.length - 20} more (see --json)`);
  }
  if (r.reimport) {
    out.push('', `Since the last import: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${formatInt(r.unchanged)} unchanged.`);
    for (const [label, list] of [['added', r.added], ['removed', r.removed], ['changed', r.changed]] as const) {
      for (const p of list.slice(0, 20)) out.push(`  ${label.padEnd(8)}${p}`);
      if (list.length > 20) out.push(`  ${label.padEnd(8)}... and ${list.length - 20} more`);
    }
  }
  return out.join('\n');
}

export function registerDatasets(program: Command): void {
  const datasets = program.command('datasets').description('image-folder datasets: import a folder with one subfolder per class');
  datasets
    .command('import <dir>')
    .description('scan a folder (one subfolder per class, or train/val/test folders holding them) and record its images; bad files are listed with the reason')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const r = await callEngine('datasets.import', { root: dir });
      if (opts.json) printJson(r);
      else process.stdout.write(`${formatImport(r)}\n`);
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
