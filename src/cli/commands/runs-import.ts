// SPDX-License-Identifier: MIT
// `runs import DIR`: a training package's result (train.py's output folder) becomes a run beside
// the run the package was exported from, scored on that run's test split.
import type { Command } from 'commander';
import { callEngine } from '../context';
import { formatPct, printJson } from '../output';

/** `json` reads --json from the subcommand or the parent `runs` (which takes it first). */
export function registerRunsImport(runs: Command, json: (opts: { json?: boolean }) => boolean | undefined): void {
  runs
    .command('import <dir>')
    .description("import a training package's result (train.py's output folder): evaluate it on the original run's test split and list it as a run")
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const r = await callEngine('runs.import', { dir });
      if (json(opts)) printJson(r);
      else process.stdout.write(`Run ${r.runId} (from run ${r.sourceRunId}, ${r.file}): ${r.split} accuracy ${formatPct(r.evaluation.accuracy)} on ${r.evaluation.n} images.\n`);
    });
}
