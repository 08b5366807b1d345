// SPDX-License-Identifier: MIT
import type { Command } from 'commander';
import type { ModelDetail, ModelSummary } from '../../shared/dto/models';
import { callEngine } from '../context';
import { formatInt, formatPct, formatTable, printJson } from '../output';

/** The Keras Applications documentation table, plus cache status. */
export function formatModelTable(models: ModelSummary[]): string {
  return formatTable(
    ['Model', 'Size (MB)', 'Top-1', 'Top-5', 'Parameters', 'Depth', 'CPU ms/step', 'Input', 'Preprocess', 'Cached'],
    models.map((m) => [
      m.name,
      m.sizeMb ?? '-',
      formatPct(m.top1),
      formatPct(m.top5),
      formatInt(m.params),
      m.depth ?? '-',
      m.cpuMsPerStep ?? '-',
      m.inputSize,
      m.preprocess,
      m.cached.notop || m.cached.top ? [m.cached.top && 'top', m.cached.notop && 'notop'].filter(Boolean).join('+') : m.weightSources.includes('nsfwjs') ? 'bundled' : 'no',
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  );
}

/** Like Keras's model.summary(): one row per layer, then totals and the freezing blocks. */
export function formatModelDetail(d: ModelDetail): string {
  const head = `${d.name} (${d.family}, ${d.paper.year}): ${d.story}\n`;
  const layers = formatTable(
    ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'],
    d.layers.map((l) => [`${l.name} (${l.className})`, l.outputShape, formatInt(l.params), l.connectedTo.join(', ')]),
    ['left', 'left', 'right', 'left'],
  );
  const totals = `Total params: ${formatInt(d.totals.total)}\nTrainable params: ${formatInt(d.totals.trainable)}\nNon-trainable params: ${formatInt(d.totals.nonTrainable)}`;
  const blocks = formatTable(
    ['Block', 'Layers', 'Params', 'Cumulative'],
    d.blocks.map((b, i) => [b.name, b.layers.length, formatInt(b.params), formatInt(d.blocks.slice(0, i + 1).reduce((n, x) => n + x.params, 0))]),
    ['left', 'right', 'right', 'right'],
  );
  return `${head}\n${layers}\n\n${totals}\n\nBlocks (freeze boundaries):\n${blocks}`;
}

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('list the backbones (Keras Applications and classic CNNs) with size, accuracy and cache status')
    .option('--json', 'print JSON')
    .option('--kind <kind>', 'keras or classic')
    .action(async (opts: { json?: boolean; kind?: 'keras' | 'classic' }) => {
      const list = await callEngine('models.list', opts.kind ? { kind: opts.kind } : {});
      if (opts.json) printJson(list);
      else process.stdout.write(`${formatModelTable(list)}\n`);
    });
  models
    .command('show <name>')
    .description("show a model's blocks and a layer summary like Keras's model.summary()")
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const detail = await callEngine('models.show', { id: name });
      if (opts.json) printJson(detail);
      else process.stdout.write(`${formatModelDetail(detail)}\n`);
    });
}
