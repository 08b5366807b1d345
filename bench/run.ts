// SPDX-License-Identifier: MIT
// `npm run bench [-- --quick] [--only a,b] [--json-out file]`: runs each case in its own Node
// process (so one case's memory, thread pools and TF.js backend never colour the next), prints a
// Markdown table and writes bench/results/<ISO date>.json. Exit code 1 only when a case throws:
// a missed timing target is a result, not a failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASE_IDS, type CaseId, loadCase } from './cases/index';
import { machineInfo } from './lib/machine';
import { benchmarksSection, updateReadme } from './lib/readme';
import { toMarkdown, writeJson, type RunReport } from './lib/report';
import type { CaseResult } from './lib/types';

interface Args {
  quick: boolean;
  only: CaseId[];
  jsonOut?: string;
  readme: boolean;
  readmeFrom?: string;
  child?: CaseId;
  resultFile?: string;
}

function usage(msg: string): never {
  process.stderr.write(`${msg}\nUsage: npm run bench -- [--quick] [--only ${CASE_IDS.join(',')}] [--json-out FILE] [--update-readme] [--readme-from RESULTS.json]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, only: [...CASE_IDS], readme: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => argv[++i] ?? usage(`${k} needs a value`);
    if (k === '--quick') a.quick = true;
    else if (k === '--only') {
      const ids = next().split(',').map((s) => s.trim()).filter(Boolean);
      const bad = ids.filter((id) => !(CASE_IDS as readonly string[]).includes(id));
      if (bad.length) usage(`Unknown case ${bad.map((b) => JSON.stringify(b)).join(', ')}. Known: ${CASE_IDS.join(', ')}`);
      a.only = ids as CaseId[];
    } else if (k === '--json-out') a.jsonOut = next();
    else if (k === '--update-readme') a.readme = true;
    else if (k === '--readme-from') a.readmeFrom = next();
    else if (k === '--child') a.child = next() as CaseId;
    else if (k === '--result-file') a.resultFile = next();
    else if (k === '--help' || k === '-h') usage('');
    else usage(`Unknown argument ${JSON.stringify(k)}`);
  }
  return a;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Child side: run one case and write its CaseResult as JSON. */
async function runChild(id: CaseId, quick: boolean, resultFile: string): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  const t0 = performance.now();
  const tmpDir = mkdtempSync(join(os.tmpdir(), `ts-bench-${id}-`));
  const bench = await loadCase(id);
  let result: CaseResult;
  try {
    const out = await bench.run({ quick, tmpDir, log: (m) => log(`${id}: ${m}`) });
    result = { id, title: bench.title, status: out.status ?? 'ok', rows: out.rows, targets: out.targets, notes: out.notes, error: out.error, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    const e = err as Error;
    log(`${id} failed: ${e.stack ?? e.message}`);
    result = { id, title: bench.title, status: 'error', rows: [], targets: [], notes: [], error: e.message, seconds: (performance.now() - t0) / 1000 };
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  writeFileSync(resultFile, JSON.stringify(result));
}

function runCaseProcess(id: CaseId, quick: boolean, dir: string, timeoutS: number): Promise<CaseResult> {
  const file = join(dir, `${id}.json`);
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--child', id, '--result-file', file, ...(quick ? ['--quick'] : [])];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      try {
        resolve(JSON.parse(readFileSync(file, 'utf8')) as CaseResult);
      } catch {
        const why = signal === 'SIGKILL' && seconds >= timeoutS - 1 ? `timed out after ${timeoutS} s` : `its process exited (code ${code}, signal ${signal}) without a result`;
        resolve({ id, title: id, status: 'error', rows: [], targets: [], notes: [], error: why, seconds });
      }
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return runChild(args.child, args.quick, args.resultFile ?? usage('--child needs --result-file'));
  if (args.readmeFrom) {
    // Re-renders a stored run into the README without measuring anything.
    const stored = JSON.parse(readFileSync(args.readmeFrom, 'utf8')) as RunReport;
    updateReadme(fileURLToPath(new URL('../README.md', import.meta.url)), benchmarksSection(toMarkdown(stored), basename(args.readmeFrom)));
    log(`README.md "## Benchmarks" section updated from ${args.readmeFrom}`);
    return;
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const machine = machineInfo();
  log(`${args.quick ? 'quick' : 'full'} run of ${args.only.join(', ')}; load average ${machine.loadAverage.join(' / ')}`);
  const dir = mkdtempSync(join(os.tmpdir(), 'ts-bench-results-'));
  const cases: CaseResult[] = [];
  const jsonPath = args.jsonOut ?? join(fileURLToPath(new URL('./results/', import.meta.url)), `${startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  const report: RunReport = { startedAt, mode: args.quick ? 'quick' : 'full', seconds: 0, machine, cases, failed: false, complete: false };
  try {
    for (const id of args.only) {
      log(`case ${id} ...`);
      const r = await runCaseProcess(id, args.quick, dir, args.quick ? 600 : 3600);
      log(`case ${id}: ${r.status} in ${r.seconds.toFixed(1)} s${r.error ? ` (${r.error})` : ''}`);
      cases.push(r);
      // Written after every case, so a long full run that is stopped still leaves its figures.
      report.seconds = (performance.now() - t0) / 1000;
      report.failed = cases.some((c) => c.status === 'error');
      writeJson(jsonPath, report);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.complete = true;
  report.seconds = (performance.now() - t0) / 1000;
  const md = toMarkdown(report);
  process.stdout.write(`${md}\n`);
  writeJson(jsonPath, report);
  log(`JSON written to ${jsonPath}`);
  if (args.readme) {
    updateReadme(fileURLToPath(new URL('../README.md', import.meta.url)), benchmarksSection(md, basename(jsonPath)));
    log('README.md "## Benchmarks" section updated');
  }
  if (report.failed) {
    log(`FAILED: ${cases.filter((c) => c.status === 'error').map((c) => `${c.id} (${c.error})`).join('; ')}`);
    process.exitCode = 1;
  }
}

await main();
