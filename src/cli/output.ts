// SPDX-License-Identifier: MIT
// Printing for the CLI: `--json` prints exactly one JSON document on stdout (or one per line for
// streams); human output goes to stdout as aligned tables; diagnostics go to stderr.
import { AppError, exitCodeFor, serializeError } from '../shared/errors';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export type Align = 'left' | 'right';

export function formatTable(headers: string[], rows: (string | number)[][], align: Align[] = []): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (align[i] === 'right' ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export const formatInt = (n: number): string => n.toLocaleString('en-US');
export const formatPct = (x: number | undefined): string => (x === undefined ? '-' : (x * 100).toFixed(1) + '%');
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Prints an error the way a user can act on it and returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const e = serializeError(err);
  if (json) process.stdout.write(`${JSON.stringify({ error: e })}\n`);
  else process.stderr.write(`transfer-studio: ${e.message}\n`);
  if (e.code === 'INTERNAL' && err instanceof Error && !(err instanceof AppError) && process.env.TRANSFER_STUDIO_DEBUG) {
    process.stderr.write(`${err.stack}\n`);
  }
  return exitCodeFor(e.code);
}
