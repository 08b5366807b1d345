// SPDX-License-Identifier: MIT
// The Markdown table printed after a run and the JSON kept in bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeMachine, type MachineInfo } from './machine';
import { describeTarget, fmt } from './targets';
import type { CaseResult, Row } from './types';

export interface RunReport {
  startedAt: string;
  mode: 'full' | 'quick';
  seconds: number;
  machine: MachineInfo;
  cases: CaseResult[];
  failed: boolean;
  /** False while the run is still going (the file is rewritten after each case). */
  complete: boolean;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function spreadText(r: Row): string {
  if (!r.spread) return '';
  return `${fmt(r.spread.lo)}–${fmt(r.spread.hi)} (${r.spread.kind})`;
}

/** The results as Markdown: one table of figures, then targets and notes per case. */
export function toMarkdown(rep: RunReport): string {
  const out: string[] = [];
  out.push(`Run ${rep.startedAt} (${rep.mode} mode${rep.complete === false ? ', stopped early: partial' : ''}, ${rep.seconds.toFixed(0)} s) on ${describeMachine(rep.machine)}.`);
  out.push('');
  out.push('| Case | Measurement | Median | Spread | CPU | Peak RSS | Load 1m | Note |');
  out.push('|---|---|---:|---|---|---:|---:|---|');
  for (const c of rep.cases) {
    if (c.rows.length === 0) {
      const why = c.status === 'error' ? `ERROR: ${c.error}` : c.notes[0] ?? c.status;
      out.push(`| ${cell(c.title)} | — | | | | | | ${cell(why)} |`);
      continue;
    }
    for (const r of c.rows) {
      const mem = r.peakRssMiB === undefined ? '' : `${r.peakRssMiB.toFixed(0)} MiB`;
      out.push(`| ${cell(c.title)} | ${cell(r.name)} | ${fmt(r.value)} ${cell(r.unit)} | ${spreadText(r)} | ${cell(r.cpu ?? '')} | ${mem} | ${r.load.toFixed(1)} | ${cell(r.note ?? '')} |`);
    }
  }
  out.push('');
  out.push('Targets (measured in this run):');
  out.push('');
  for (const c of rep.cases) {
    for (const t of c.targets) out.push(`- ${c.title}: ${describeTarget(t)}`);
  }
  const notes = rep.cases.flatMap((c) => [
    ...(c.status === 'error' ? [`${c.title}: ERROR ${c.error}`] : []),
    ...c.notes.map((n) => `${c.title}: ${n}`),
  ]);
  if (notes.length) {
    out.push('');
    out.push('Notes:');
    out.push('');
    for (const n of notes) out.push(`- ${n}`);
  }
  return out.join('\n');
}

export function writeJson(path: string, rep: RunReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(rep, null, 2)}\n`);
}
