// SPDX-License-Identifier: MIT
// `transfer-studio weights ...`: Keras's weights cache from a terminal (the same engine calls the
// app's backbone table makes).
import type { Command } from 'commander';
import type { WeightsList } from '../../shared/dto/weights';
import { AppError } from '../../shared/errors';
import type { EventPayload } from '../../shared/ipc/contract';
import { callEngine, engineWithEvents } from '../context';
import { formatBytes, formatTable, printJson } from '../output';

type Variant = 'top' | 'notop';
const BAR = 24;

function parseVariant(v: string | undefined): Variant | undefined {
  if (v === undefined) return undefined;
  if (v !== 'top' && v !== 'notop') throw new AppError('INVALID_ARGUMENT', `--variant must be top or notop. Received: ${JSON.stringify(v)}.`, { received: v });
  return v;
}

function cell(v: WeightsList['models'][number]['variants'][number]): string {
  if (v.downloading) return 'downloading';
  if (v.present) return formatBytes(v.bytes);
  return v.partial ? 'partial' : '-';
}

/** One row per Keras model with both variants, then the bundled weights and their licence. */
export function formatWeightsList(l: WeightsList): string {
  const rows = l.models.map((m) => {
    const by = Object.fromEntries(m.variants.map((v) => [v.variant, v]));
    return [m.model, cell(by.notop), cell(by.top), by.notop.expectedHash ? by.notop.hashAlgorithm ?? '' : 'none'];
  });
  const out = [`Weights folder: ${l.dir}`, '', formatTable(['Model', 'No top', 'With top', 'Hash'], rows, ['left', 'right', 'right', 'left'])];
  out.push('', 'Bundled:');
  for (const b of l.bundled) {
    out.push(b.available ? `  ${b.name} (${b.modelId}, ${b.version ?? '?'}; licence ${b.licence?.spdx}: ${b.licence?.copyright})` : `  ${b.name}: not available (${b.reason})`);
  }
  return out.join('\n');
}

function eta(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '';
  const r = Math.round(s);
  return r >= 60 ? ` ETA ${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s` : ` ETA ${r}s`;
}

/** `[#####-----]  42% 12.3 MiB / 29.2 MiB 4.1 MiB/s ETA 4s` */
export function formatDownloadProgress(p: Pick<EventPayload<'job.progress'>, 'done' | 'total' | 'rate' | 'etaSeconds'>): string {
  const rate = p.rate !== undefined ? ` ${formatBytes(Math.round(p.rate))}/s` : '';
  if (!p.total) return `${formatBytes(p.done)}${rate}`;
  const frac = Math.min(1, p.done / p.total);
  const filled = Math.round(frac * BAR);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${formatBytes(p.done)} / ${formatBytes(p.total)}${rate}${eta(p.etaSeconds)}`;
}

async function download(model: string, opts: { variant?: string; json?: boolean }): Promise<void> {
  const variant = parseVariant(opts.variant) ?? 'notop';
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  let lastLen = 0;
  const call = engineWithEvents((event, payload) => {
    if (event !== 'job.progress') return;
    const p = payload as EventPayload<'job.progress'>;
    if (p.kind !== 'weights.download') return;
    const line = formatDownloadProgress(p);
    if (tty) {
      process.stderr.write(`\r${line.padEnd(lastLen)}`);
      lastLen = line.length;
      return;
    }
    // Not a terminal (a log file, a pipe): one line per tenth, not hundreds of carriage returns.
    const decile = p.total ? Math.floor((10 * p.done) / p.total) : -1;
    if (decile > lastDecile) {
      lastDecile = decile;
      process.stderr.write(`${line}\n`);
    }
  });
  const onSignal = () => void call('weights.cancel', { model, variant });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await call('weights.download', { model, variant });
    if (tty && lastLen) process.stderr.write('\n');
    if (opts.json) printJson(r);
    else process.stdout.write(`${r.cached ? 'Already in the cache' : r.resumed ? 'Downloaded (resumed)' : 'Downloaded'}: ${r.path} (${formatBytes(r.bytes)}, ${r.algorithm} ${r.hash})\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerWeights(program: Command): void {
  const weights = program.command('weights').description("pretrained weights in Keras's cache ($KERAS_HOME/models or ~/.keras/models)");
  weights
    .command('list [model]')
    .description('per Keras model: whether the no-top and with-top files are cached, their size; and the bundled weights')
    .option('--json', 'print JSON')
    .action(async (model: string | undefined, opts: { json?: boolean }) => {
      const l = await callEngine('weights.list', model ? { model } : {});
      if (opts.json) printJson(l);
      else process.stdout.write(`${formatWeightsList(l)}\n`);
    });
  weights
    .command('download <model>')
    .description("download Keras's weight file (resumable, hash-checked); Ctrl+C keeps the partial file for next time")
    .option('--variant <variant>', 'notop (feature extractor, default) or top (with the ImageNet classifier)')
    .option('--json', 'print JSON')
    .action(download);
  weights
    .command('verify <model>')
    .description("check cached files against Keras's hashes (MobileNet and MobileNetV2 have none: 'unverifiable')")
    .option('--variant <variant>', 'top or notop (default both)')
    .option('--json', 'print JSON')
    .action(async (model: string, opts: { variant?: string; json?: boolean }) => {
      const variant = parseVariant(opts.variant);
      const results = await callEngine('weights.verify', { model, ...(variant ? { variant } : {}) });
      const bad = results.filter((r) => r.status === 'mismatch');
      if (!opts.json || bad.length === 0) {
        if (opts.json) printJson(results);
        else process.stdout.write(`${formatTable(['Model', 'Variant', 'Status', 'File'], results.map((r) => [r.model, r.variant, r.status, r.path]))}\n`);
      }
      if (bad.length) {
        throw new AppError('WEIGHTS_CORRUPT', `${bad.map((b) => `${b.path} has ${b.algorithm} ${b.actual}, Keras lists ${b.expected}`).join('; ')}. Delete it (transfer-studio weights rm ${model}) and download it again.`, { results });
      }
    });
  weights
    .command('import <file>')
    .description("check that a Keras weights .h5 loads into the model, then copy it into the cache under Keras's file name (a Keras 3 .weights.h5 goes to <cache>/transfer-studio/)")
    .requiredOption('--model <name>', 'Keras model name or zoo id, e.g. ResNet50')
    .option('--variant <variant>', 'top or notop (default: detected from the file)')
    .option('--by-name', 'pair layers by name (Keras 2 names accepted) instead of by position as Keras does')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { model: string; variant?: string; byName?: boolean; json?: boolean }) => {
      const variant = parseVariant(opts.variant);
      const r = await callEngine('weights.import', { file, model: opts.model, ...(variant ? { variant } : {}), ...(opts.byName ? { byName: true } : {}) });
      if (opts.json) printJson(r);
      else process.stdout.write(`Imported ${r.model} (${r.variant}): ${r.layers} layers, ${r.weightsLoaded} weights loaded; ${r.replaced ? 'replaced' : 'copied to'} ${r.path}\n`);
    });
  weights
    .command('rm <model>')
    .description('delete cached weight files (and any partial download)')
    .option('--variant <variant>', 'top or notop (default both)')
    .option('--json', 'print JSON')
    .action(async (model: string, opts: { variant?: string; json?: boolean }) => {
      const variant = parseVariant(opts.variant);
      const r = await callEngine('weights.remove', { model, ...(variant ? { variant } : {}) });
      if (opts.json) printJson(r);
      else process.stdout.write(r.removed.length ? `Removed:\n${r.removed.map((p) => `  ${p}`).join('\n')}\n` : 'Nothing to remove.\n');
    });
}
