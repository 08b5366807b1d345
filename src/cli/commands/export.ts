// SPDX-License-Identifier: MIT
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ExportResultDto } from '../../shared/dto/export';
import { AppError } from '../../shared/errors';
import { callEngine } from '../context';
import { formatBytes, formatTable, printJson } from '../output';

const FORMATS = ['tfjs', 'keras', 'h5', 'onnx', 'tflite', 'package'] as const;

export function formatExport(r: ExportResultDto): string {
  const lines = [`Exported ${r.format} to ${r.path} (export ${r.id})`, formatTable(['File', 'Size', 'sha256'], r.files.map((f) => [f.path, formatBytes(f.bytes), f.sha256.slice(0, 16)]), ['left', 'right', 'left'])];
  if (r.parity) lines.push(`Parity with TF.js (${r.parity.runtime}): max abs diff ${r.parity.maxAbsDiff.toExponential(2)} (tolerance ${r.parity.tolerance})`);
  if (r.quantization) {
    const q = r.quantization;
    const acc = q.accuracyAfter !== undefined ? `, validation accuracy ${(q.accuracyBefore! * 100).toFixed(2)}% -> ${(q.accuracyAfter * 100).toFixed(2)}%` : '';
    lines.push(`${q.mode}: ${formatBytes(q.bytesBefore)} -> ${formatBytes(q.bytesAfter)}, max prob change ${q.maxAbsDiff.toExponential(2)}${acc}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

export function registerExport(program: Command): void {
  program
    .command('export <run>')
    .description('export a trained model (a run id, or a model folder) as TF.js, Keras, ONNX, TFLite or a training package')
    .requiredOption('--format <format>', FORMATS.join('|'))
    .requiredOption('--out <path>', 'output folder, or the .zip file with --zip')
    .option('--zip', 'write one zip file instead of a folder')
    .option('--quantize <mode>', 'float16|int8 (onnx), int8 (tflite)')
    .option('--json', 'print JSON')
    .action(async (run: string, opts: { format: string; out: string; zip?: boolean; quantize?: string; json?: boolean }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new AppError('INVALID_ARGUMENT', `--format must be one of ${FORMATS.join(', ')}. Received: ${JSON.stringify(opts.format)}.`, { received: opts.format });
      }
      if (opts.quantize !== undefined && opts.quantize !== 'float16' && opts.quantize !== 'int8') {
        throw new AppError('INVALID_ARGUMENT', `--quantize must be float16 or int8. Received: ${JSON.stringify(opts.quantize)}.`, { received: opts.quantize });
      }
      const isId = /^\d+$/.test(run) && !existsSync(run);
      const result = await callEngine('export.run', {
        ...(isId ? { runId: Number(run) } : { modelDir: run }),
        format: opts.format as (typeof FORMATS)[number],
        out: opts.out,
        ...(opts.zip ? { zip: true } : {}),
        ...(opts.quantize ? { quantize: opts.quantize as 'float16' | 'int8' } : {}),
      });
      if (opts.json) printJson(result);
      else process.stdout.write(`${formatExport(result)}\n`);
    });
}
