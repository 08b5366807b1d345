// SPDX-License-Identifier: MIT
import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../services/app-info';
import { useProductionTf } from '../engine/backend/backend';
import { registerDatasets } from './commands/datasets';
import { registerClassify } from './commands/classify';
import { registerDoctor } from './commands/doctor';
import { registerExport } from './commands/export';
import { registerModels } from './commands/models';
import { registerServe } from './commands/serve';
import { registerTrain } from './commands/train';
import { registerWeights } from './commands/weights';
import { closeCli } from './context';
import { reportError } from './output';

export function buildProgram(): Command {
  const program = new Command('transfer-studio')
    .description('Fine-tune pretrained image models without writing code. Every command the app offers, from a terminal.')
    .version(APP_VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride();
  // In the order of the wizard: check the machine, pick a backbone and its weights, import data,
  // train and evaluate, export, classify; then browser mode.
  registerDoctor(program);
  registerModels(program);
  registerWeights(program);
  registerDatasets(program);
  registerTrain(program);
  registerExport(program);
  registerClassify(program);
  registerServe(program);
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  useProductionTf();
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err, json);
  } finally {
    if (!argv.includes('serve')) closeCli();
  }
}
