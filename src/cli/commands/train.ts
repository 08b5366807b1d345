// SPDX-License-Identifier: MIT
// `train` and `eval` (`runs` lives in runs.ts). Training runs in a worker thread of this process; events stream to
// a progress bar on stderr, or as JSON lines on stdout with --json. Ctrl+C cancels the run after
// the batch in flight, and `train --resume RUN` continues it from its last epoch checkpoint.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { EvaluationDto, RunDetail, TrainStart } from '../../shared/dto/train';
import { AppError } from '../../shared/errors';
import type { EventPayload } from '../../shared/ipc/contract';
import { engineWithEvents, onEngineEvent } from '../context';
import { formatPct, formatTable, printJson, printJsonLine } from '../output';
import { formatTrainDataset } from './datasets';
import { formatProgress } from './train-progress';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer. Received: ${v}.`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number. Received: ${v}.`);
  return n;
};

/** A file that exists is passed as an absolute path (the engine may run elsewhere); tags pass as typed. */
const weightsArg = (v: string): string => (existsSync(v) ? path.resolve(v) : v);

interface TrainOpts {
  data?: string;
  resume?: number;
  backbone?: string;
  weights?: string;
  freezeUntil?: string;
  epochs: number;
  batch?: number;
  lr?: number;
  imageSize?: number;
  seed?: number;
  fineTuneBlocks?: number;
  fineTuneEpochs?: number;
  fineTuneLr?: number;
  optimizer?: 'adam' | 'sgd';
  labelSmoothing?: number;
  patience?: number;
  balanced?: boolean;
  keepLeaks?: boolean;
  retrain?: number;
  augment: boolean;
  validation?: number;
  test?: number;
  backend?: TrainStart['backend'];
  json?: boolean;
}

const ENDED = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/**
 * Watches 'train.status' for runs that end. Started before train.start / train.resume, so an end
 * can never slip by between the call's answer and the wait.
 */
function watchRunEnds(): { wait(runId: number): Promise<void>; stop(): void } {
  const ended = new Set<number>();
  const waiters = new Map<number, () => void>();
  const stop = onEngineEvent((event, payload) => {
    if (event !== 'train.status') return;
    const p = payload as EventPayload<'train.status'>;
    if (!ENDED.has(p.status)) return;
    ended.add(p.runId);
    waiters.get(p.runId)?.();
  });
  return { wait: (runId) => (ended.has(runId) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(runId, resolve))), stop };
}

function headline(ev: EvaluationDto | null): Record<string, number> {
  if (!ev) return {};
  return { accuracy: ev.accuracy, top5Accuracy: ev.top5Accuracy, macroF1: ev.macro.f1, ece: ev.ece, logLoss: ev.logLoss, n: ev.n };
}

async function runTrain(opts: TrainOpts): Promise<void> {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  let lastLine = '';
  const call = engineWithEvents((event, payload) => {
    if (event === 'train.batch' || event === 'train.epoch') {
      if (opts.json) printJsonLine({ type: event === 'train.batch' ? 'batch' : 'epoch', ...payload });
      const line = formatProgress(event, payload as EventPayload<'train.batch'> & EventPayload<'train.epoch'>);
      if (tty) {
        process.stderr.write(`\r${line.padEnd(lastLine.length)}${event === 'train.epoch' ? '\n' : ''}`);
        lastLine = event === 'train.epoch' ? '' : line;
      } else if (event === 'train.epoch' && !opts.json) process.stderr.write(`${line}\n`);
    }
  });
  const ends = watchRunEnds();
  let runId: number;
  if (opts.resume !== undefined) {
    runId = (await call('train.resume', { runId: opts.resume })).runId;
  } else if (opts.retrain !== undefined) {
    runId = (await call('train.retrain', { runId: opts.retrain })).runId;
    if (!opts.json) process.stderr.write(`Retraining run ${opts.retrain} with the same settings on its dataset as it is now\n`);
  } else {
    if (!opts.data || !opts.backbone) throw new AppError('INVALID_ARGUMENT', 'train needs --data DIR and --backbone NAME (or --resume RUN). Example: transfer-studio train --data ./photos --backbone mobilenetv2');
    const imported = await call('datasets.import', { root: opts.data });
    if (!opts.json) {
      const detail = await call('datasets.get', { id: imported.dataset.id, split: { validation: opts.validation, test: opts.test, seed: opts.seed, fixLeakage: !opts.keepLeaks } });
      process.stderr.write(`${formatTrainDataset(imported, detail).join('\n')}\n`);
    }
    const req: TrainStart = {
      datasetId: imported.dataset.id,
      backbone: opts.backbone,
      epochs: opts.epochs,
      augment: opts.augment ? undefined : false,
      ...(opts.balanced ? { classWeights: 'balanced' as const } : {}),
      ...(opts.keepLeaks ? { fixLeakage: false } : {}),
    };
    for (const k of ['weights', 'freezeUntil', 'batch', 'lr', 'imageSize', 'seed', 'fineTuneBlocks', 'fineTuneEpochs', 'fineTuneLr', 'optimizer', 'labelSmoothing', 'patience', 'validation', 'test', 'backend'] as const) {
      if (opts[k] !== undefined) (req as Record<string, unknown>)[k] = opts[k];
    }
    if (req.augment === undefined) delete req.augment;
    runId = (await call('train.start', req)).runId;
  }
  if (!opts.json) process.stderr.write(`Run ${runId} training (Ctrl+C cancels; resume with: transfer-studio train --resume ${runId})\n`);
  const onSignal = () => void call('train.cancel', { runId });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await ends.wait(runId);
  } finally {
    ends.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (tty && lastLine) process.stderr.write('\n');
  const run = await call('runs.get', { id: runId });
  const wallSeconds = (Date.now() - started) / 1000;
  const ips = run.epochs.map((e) => e.imagesPerSec ?? 0).filter((x) => x > 0);
  const summary = {
    type: 'result',
    runId,
    status: run.status,
    backend: run.backend,
    metrics: headline(run.evaluation),
    epochs: run.epochs.length,
    imagesPerSec: ips.length ? ips.reduce((a, b) => a + b, 0) / ips.length : null,
    wallSeconds,
    modelDir: run.modelDir,
    ...(run.error ? { error: run.error } : {}),
  };
  if (opts.json) printJsonLine(summary);
  else process.stdout.write(`${formatRunResult(run, wallSeconds)}\n`);
  if (run.status === 'cancelled') throw new AppError('CANCELLED', `Run ${runId} was cancelled. Resume it with: transfer-studio train --resume ${runId}`, { runId });
  if (run.status !== 'completed') throw new AppError('INTERNAL', `Run ${runId} ${run.status}: ${run.error ?? 'no error recorded'}`, { runId });
}

export function formatRunResult(run: RunDetail, wallSeconds: number): string {
  const ev = run.evaluation;
  const lines = [`Run ${run.id} ${run.status} in ${wallSeconds.toFixed(0)} s on ${run.backend ?? '?'}`];
  if (ev) lines.push(`${ev.split ?? 'test'} accuracy ${formatPct(ev.accuracy)}, top-5 ${formatPct(ev.top5Accuracy)}, macro F1 ${ev.macro.f1.toFixed(3)}, ECE ${ev.ece.toFixed(3)} (${ev.n} images)`);
  if (run.modelDir) lines.push(`Model: ${run.modelDir}`);
  lines.push(`Details: transfer-studio eval ${run.id}`);
  return lines.join('\n');
}

/** Accuracy, top-5, the per-class table, the confusion matrix and calibration, as `eval` prints them. */
export function formatEvaluation(ev: EvaluationDto): string {
  const out = [
    `Evaluated on ${ev.split ?? 'the test split'}: ${ev.n} images, ${ev.numClasses} classes`,
    `Accuracy ${formatPct(ev.accuracy)}   Top-5 ${formatPct(ev.top5Accuracy)}   ECE ${ev.ece.toFixed(4)}   Log loss ${ev.logLoss.toFixed(4)}`,
    '',
    formatTable(
      ['Class', 'Precision', 'Recall', 'F1', 'Support'],
      [...ev.perClass.map((c) => [c.name, c.precision.toFixed(3), c.recall.toFixed(3), c.f1.toFixed(3), c.support]), ['macro avg', ev.macro.precision.toFixed(3), ev.macro.recall.toFixed(3), ev.macro.f1.toFixed(3), ev.n], ['weighted avg', ev.weighted.precision.toFixed(3), ev.weighted.recall.toFixed(3), ev.weighted.f1.toFixed(3), ev.n]],
      ['left', 'right', 'right', 'right', 'right'],
    ),
    '',
    'Confusion matrix (rows: true class, columns: predicted class by number):',
    formatTable(['#', 'True class', ...ev.classNames.map((_, i) => String(i))], ev.confusion.map((row, i) => [i, ev.classNames[i], ...row]), ['right', 'left', ...ev.classNames.map(() => 'right' as const)]),
  ];
  if (ev.misclassified.length) {
    out.push('', `Most confident mistakes (${ev.misclassified.length} in all):`);
    for (const m of ev.misclassified.slice(0, 10)) out.push(`  ${m.id ?? `#${m.index}`}: ${ev.classNames[m.label]} predicted as ${ev.classNames[m.predicted]} (${formatPct(m.confidence)})`);
  }
  return out.join('\n');
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('fine-tune a backbone on an image folder (one subfolder per class); prints test metrics and where the model is')
    .option('--data <dir>', 'image folder: one subfolder per class, optionally inside train/val/test folders')
    .option('--resume <run>', 'continue an interrupted or cancelled run from its last epoch checkpoint', int('--resume'))
    .option('--retrain <run>', 'train a new run with the settings of RUN on its dataset as it is now (after fixes relabel/exclude/trash)', int('--retrain'))
    .option('--backbone <name>', 'model id or name (see `transfer-studio models`), e.g. mobilenetv2')
    .option('--weights <source>', "the backbone's weights: a tag (imagenet, nsfwjs, none; default: the backbone's first, see `models`) or your own .h5 / .keras / model.json file", weightsArg)
    .option('--freeze-until <block>', "phase 1 freezing: 'all' (default), 'none' or a block name (see `models show`)")
    .option('--epochs <n>', 'epochs (phase 1, or all of them when --fine-tune-epochs is not given)', int('--epochs'), 10)
    .option('--batch <n>', 'batch size (default 32)', int('--batch'))
    .option('--lr <x>', 'learning rate (default 0.001)', num('--lr'))
    .option('--image-size <n>', "input side in pixels (default: the model's)", int('--image-size'))
    .option('--seed <n>', 'seed for the split, shuffling, augmentation and initialisation (default 42)', int('--seed'))
    .option('--fine-tune-blocks <k>', 'phase 2: unfreeze the top K blocks (default 3)', int('--fine-tune-blocks'))
    .option('--fine-tune-epochs <n>', 'phase 2 epochs (0 turns fine-tuning off)', int('--fine-tune-epochs'))
    .option('--fine-tune-lr <x>', 'phase 2 learning rate (default lr / 10)', num('--fine-tune-lr'))
    .option('--optimizer <name>', 'adam or sgd')
    .option('--label-smoothing <x>', 'label smoothing in [0, 1)', num('--label-smoothing'))
    .option('--patience <n>', 'early stopping on validation loss after N epochs without improvement', int('--patience'))
    .option('--balanced', 'weight the loss by inverse class frequency')
    .option('--keep-leaks', 'leave identical images where the split put them (default: each group in one split; near pairs are only reported)')
    .option('--no-augment', 'turn augmentation off')
    .option('--validation <x>', 'validation fraction per class (default 0.2)', num('--validation'))
    .option('--test <x>', 'test fraction per class (default 0.1, 0 with a test folder)', num('--test'))
    .option('--backend <name>', 'auto (default), tensorflow-gpu, tensorflow, wasm or cpu')
    .option('--json', 'one JSON object per line on stdout: batch and epoch events, then the result')
    .action(async (opts: TrainOpts) => runTrain(opts));

  program
    .command('eval <run>')
    .description("evaluate a trained run: accuracy, top-5, per-class precision/recall/F1, confusion matrix, calibration (ECE)")
    .option('--data <dir>', "another image folder to evaluate on (its test folder if it has one); default: the run's test split")
    .option('--json', 'print JSON')
    .action(async (run: string, opts: { data?: string; json?: boolean }) => {
      const runId = int('RUN')(run);
      const call = engineWithEvents(() => undefined);
      const datasetId = opts.data ? (await call('datasets.import', { root: opts.data })).dataset.id : undefined;
      const ev = await call('eval.run', { runId, ...(datasetId ? { datasetId } : {}) });
      if (opts.json) printJson(ev);
      else process.stdout.write(`${formatEvaluation(ev)}\n`);
    });
}
