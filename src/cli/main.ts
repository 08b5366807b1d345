// SPDX-License-Identifier: MIT
import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../services/app-info';
import { closeCli } from './context';
import { reportError } from './output';

type Register = (program: Command) => void;

/**
 * Command groups in the order of the wizard: check the machine, pick a backbone and its weights,
 * import data, train and evaluate, export, classify; then browser mode. Each group's module is
 * loaded only when one of its commands runs (or for the full help): the engine behind them
 * (TF.js, ONNX Runtime, sharp) takes seconds to load, and `--version` should not wait for it.
 */
const GROUPS: readonly { commands: readonly string[]; load: () => Promise<Register> }[] = [
  { commands: ['doctor'], load: async () => (await import('./commands/doctor')).registerDoctor },
  { commands: ['models'], load: async () => (await import('./commands/models')).registerModels },
  { commands: ['weights'], load: async () => (await import('./commands/weights')).registerWeights },
  { commands: ['cache'], load: async () => (await import('./commands/cache')).registerCache },
  { commands: ['datasets'], load: async () => (await import('./commands/datasets')).registerDatasets },
  { commands: ['train', 'eval'], load: async () => (await import('./commands/train')).registerTrain },
  { commands: ['runs'], load: async () => (await import('./commands/runs')).registerRuns },
  { commands: ['fixes'], load: async () => (await import('./commands/fixes')).registerFixes },
  { commands: ['export'], load: async () => (await import('./commands/export')).registerExport },
  { commands: ['classify'], load: async () => (await import('./commands/classify')).registerClassify },
  { commands: ['serve'], load: async () => (await import('./commands/serve')).registerServe },
];

/** The command a command line runs ('help train' counts as train); undefined for none. */
function invokedCommand(argv: readonly string[]): string | undefined {
  const args = argv.slice(2).filter((a) => !a.startsWith('-'));
  return args[0] === 'help' ? args[1] : args[0];
}

/** Builds the program with every command, or (given argv) with just what that command line needs. */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('transfer-studio')
    .description('Fine-tune pretrained image models without writing code. Every command the app offers, from a terminal.')
    .version(APP_VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride();
  const invoked = argv && invokedCommand(argv);
  const versionOnly = argv !== undefined && invoked === undefined && argv.some((a) => a === '-v' || a === '--version');
  if (versionOnly) return program;
  const known = GROUPS.some((g) => invoked !== undefined && g.commands.includes(invoked));
  for (const group of GROUPS) {
    if (!known || group.commands.includes(invoked!)) (await group.load())(program);
  }
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const json = argv.includes('--json');
  try {
    const program = await buildProgram(argv);
    // No TF.js set-up here: the engine quiets TF.js when it loads (engine/backend/quiet.ts).
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err, json);
  } finally {
    if (!argv.includes('serve')) closeCli();
  }
}
