// SPDX-License-Identifier: MIT
// Turns a train.start request into what the worker needs: the split (seeded, stratified, the
// user's own split folders kept), the resolved TrainConfig (Keras's two-phase recipe by default)
// and the data description. Written to <run dir>/job.json so a resume trains on the same images.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { TrainStart } from '../../shared/dto/train';
import { DEFAULT_AUGMENT, type AugmentConfig } from '../data/augment';
import { fixLeakage, storedGroups, type Leak } from '../data/health';
import { splitDataset, type SplitResult } from '../data/split';
import type { SplitName } from '../data/types';
import { checkWeightsFile, requireWeights, type WeightsFileReport } from '../weights/availability';
import { isWeightsTag, pretrainedCfgs, resolveModelId, type ResolvedModelId } from '../zoo/registry';
import type { FolderDataArgs, TrainConfig } from './types';

/** The dataset fields planning reads (the store's DatasetRecord has them). */
export interface PlanDataset {
  root: string;
  layout: string;
  classes: string[];
  /** The import's findings; `similar` holds the duplicate groups kept in one split. */
  summary?: Readonly<Record<string, unknown>>;
}

/** One image as planning sees it (the store's StoredImage has these fields). */
export interface PlanImage {
  path: string;
  className: string;
}

export type BackendChoice = NonNullable<TrainStart['backend']>;

/** Everything a run needs to start or resume. */
export interface RunJob {
  version: 1;
  request: TrainStart;
  config: TrainConfig;
  data: FolderDataArgs;
  backend: BackendChoice;
  /** Human-readable lines about how the run was set up. */
  notes: string[];
}

const USER_SPLIT_FOLDERS: Record<string, SplitName> = { train: 'train', training: 'train', val: 'validation', valid: 'validation', validation: 'validation', test: 'test', testing: 'test' };

/**
 * The user's split folder of an image, read from its path: the images table's split column also
 * holds splits assigned by runs, so it cannot tell the two apart.
 */
export function userSplitOf(relPath: string, layout: string): SplitName | undefined {
  if (layout !== 'splits') return undefined;
  return USER_SPLIT_FOLDERS[relPath.split('/')[0].toLowerCase()];
}

export interface SplitRequest {
  validation?: number;
  test?: number;
  seed?: number;
}

/** Default fractions: 20% validation; 10% test unless the user has a test folder. */
export function resolveSplitSettings(dataset: PlanDataset, images: readonly PlanImage[], s: SplitRequest): { validation: number; test: number; seed: number } {
  const hasUserTest = images.some((im) => userSplitOf(im.path, dataset.layout) === 'test');
  return { validation: s.validation ?? 0.2, test: s.test ?? (hasUserTest ? 0 : 0.1), seed: s.seed ?? 42 };
}

/** Splits the images, then keeps identical images together (unless `fixLeakage` is false); leaks, near pairs included, are reported either way. */
export function splitImages(dataset: PlanDataset, images: readonly PlanImage[], s: SplitRequest & { fixLeakage?: boolean }): { result: SplitResult; settings: { validation: number; test: number; seed: number }; leaks: Leak[] } {
  const settings = resolveSplitSettings(dataset, images, s);
  const items = images.map((im) => ({ path: im.path, className: im.className, ...(userSplitOf(im.path, dataset.layout) ? { split: userSplitOf(im.path, dataset.layout) } : {}) }));
  const raw = splitDataset(items, { ...settings, classes: dataset.classes });
  const classOf = new Map(images.map((im) => [im.path, im.className]));
  const { split: result, leaks } = fixLeakage(raw, storedGroups(dataset.summary ?? {}, new Set(classOf.keys())), classOf, s.fixLeakage ?? true);
  return { result, settings, leaks };
}

/** How many top epochs the default recipe gives to fine-tuning. */
function defaultFineTune(req: TrainStart, pretrained: boolean): { phase1: number; phase2: number } {
  if (req.fineTuneEpochs !== undefined) return { phase1: req.epochs, phase2: req.fineTuneEpochs };
  // Keras's recipe: train the new head first; only with pretrained weights and enough epochs
  // does unfreezing the top blocks pay (a random backbone has nothing to fine-tune).
  if (!pretrained || req.epochs < 3 || req.freezeUntil === 'none') return { phase1: req.epochs, phase2: 0 };
  const phase2 = Math.floor(req.epochs / 3);
  return { phase1: req.epochs - phase2, phase2 };
}

/** True when TrainStart.weights names the user's own file rather than a registry tag. */
export const isWeightsFile = (weights: string | undefined): weights is string => weights !== undefined && !isWeightsTag(weights);

export interface RunPlan {
  job: RunJob;
  split: SplitResult;
  /** The registry entry the run starts from (for a user's file: the architecture's scratch entry). */
  model: ResolvedModelId;
  /** The user's own weights file, resolved to an absolute path; null for registry weights. */
  weightsFile: string | null;
}

/**
 * Plans a run on `dataset`: resolves the model id and its weights (once per run), splits the
 * images and resolves every default.
 * @throws AppError MODEL_UNKNOWN, INVALID_ARGUMENT (no training images, input size below the model's minimum, weights the backbone has not).
 */
export function planRun(req: TrainStart, dataset: PlanDataset, images: readonly PlanImage[]): RunPlan {
  const weightsFile = isWeightsFile(req.weights) ? path.resolve(req.weights) : null;
  // A file of the user's own replaces the registry's weights; the id still has to name a known tag.
  const named = resolveModelId(req.backbone, weightsFile ? undefined : req.weights);
  const model = weightsFile ? { spec: named.spec, cfg: pretrainedCfgs(named.spec).find((c) => c.tag === 'scratch')! } : named;
  const { spec, cfg } = model;
  const weights = weightsFile ?? cfg.weights;
  const imageSize = req.imageSize ?? spec.defaultInputSize;
  if (imageSize < spec.minInputSize) {
    throw new AppError('INVALID_ARGUMENT', `--image-size ${imageSize} is below ${spec.name}'s minimum of ${spec.minInputSize} pixels. Pass --image-size ${spec.minInputSize} or more.`, { received: imageSize });
  }
  if (dataset.classes.length < 2) {
    throw new AppError('INVALID_ARGUMENT', `Dataset ${dataset.root} has ${dataset.classes.length} class folder(s); a classifier needs at least 2. Put each class's images in its own subfolder.`, { classes: dataset.classes });
  }
  const { result: split, settings, leaks } = splitImages(dataset, images, req);
  if (!split.train.length) throw new AppError('INVALID_ARGUMENT', `Dataset ${dataset.root} has no training images after the split. Add images or lower --validation/--test.`);
  const label = new Map(dataset.classes.map((c, i) => [c, i]));
  const classOf = new Map(images.map((im) => [im.path, im.className]));
  const items = (paths: string[]) => paths.map((p) => ({ path: p, label: label.get(classOf.get(p)!)! }));
  const seed = req.seed ?? 42;
  const pretrained = weights !== 'none';
  const { phase1, phase2 } = defaultFineTune(req, pretrained);
  const fineTuneBlocks = req.fineTuneBlocks ?? 3;
  const lr = req.lr ?? 1e-3;
  const config: TrainConfig = {
    backbone: spec.id,
    weights,
    freezeUntil: req.freezeUntil ?? 'all',
    epochs: phase1,
    batch: req.batch ?? 32,
    lr,
    imageSize,
    seed,
    optimizer: req.optimizer ?? 'adam',
    schedule: req.schedule ?? 'constant',
    ...(req.labelSmoothing !== undefined ? { labelSmoothing: req.labelSmoothing } : {}),
    ...(req.patience ? { patience: req.patience } : {}),
    ...(req.classWeights === 'balanced' ? { classWeights: 'balanced' as const } : {}),
    head: { pooling: 'avg', dropout: req.dropout ?? 0.2 },
    ...(phase2 > 0 ? { fineTune: { blocks: fineTuneBlocks, epochs: phase2, lr: req.fineTuneLr ?? lr * 0.1 } } : {}),
  };
  const augment: AugmentConfig | null = req.augment === false ? null : (req.augment ?? DEFAULT_AUGMENT);
  const data: FolderDataArgs = {
    root: dataset.root,
    classes: dataset.classes,
    train: items(split.train),
    validation: items(split.validation),
    test: items(split.test),
    imageSize,
    batch: config.batch ?? 32,
    seed,
    augment,
  };
  const notes = [
    `split: ${split.train.length} train / ${split.validation.length} validation / ${split.test.length} test (seed ${settings.seed}${images.some((im) => userSplitOf(im.path, dataset.layout)) ? ', the folder’s own split folders kept' : ''})`,
    weightsFile ? `weights: ${weightsFile} (your own file; inputs preprocessed with ${spec.preprocess}, ${spec.name}'s own mode)` : `weights: ${cfg.weights} (${cfg.id}: ${cfg.label}; inputs preprocessed with ${cfg.preprocess})`,
    `recipe: phase 1 trains the new head (pooling, dropout ${config.head?.dropout}, dense) with the backbone frozen ${config.freezeUntil === 'all' ? 'entirely' : `up to ${config.freezeUntil}`} for ${phase1} epoch(s) at lr ${lr}` +
      (config.fineTune ? `; phase 2 unfreezes the top ${config.fineTune.blocks} block(s) for ${config.fineTune.epochs} epoch(s) at lr ${config.fineTune.lr}` : '; no fine-tuning phase') +
      (pretrained ? '; BatchNormalization layers of the backbone run in inference mode' : ''),
    `augmentation: ${augment ? JSON.stringify(augment) : 'off'}`,
    ...split.warnings.map((w) => `warning: ${w.message}`),
    ...leaks.map((l) => `${l.moved ? 'leak fixed' : 'warning: leak'}: ${l.kind === 'exact' ? 'identical' : 'near-identical'} images ${l.paths.map((p) => `${p} (${l.before[p]})`).join(', ')}${l.moved ? ` all kept in ${l.keptIn}` : l.kind === 'near' ? ' (not moved: check whether they are the same picture)' : ''}`),
  ];
  return { job: { version: 1, request: req, config, data, backend: req.backend ?? 'auto', notes }, split, model, weightsFile };
}

/**
 * Fails before a run is created when its weights cannot be loaded (the worker would fail later):
 * registry weights must be available here, a user's file must fill the backbone completely.
 * @throws AppError WEIGHTS_MISSING, NOT_FOUND, WEIGHTS_MISMATCH, FILE_CORRUPT, UNSUPPORTED
 */
export async function checkRunWeights(plan: RunPlan, opts: { cacheDir?: string } = {}): Promise<WeightsFileReport | null> {
  if (!plan.weightsFile) {
    requireWeights(plan.model, opts);
    return null;
  }
  return checkWeightsFile(plan.model.spec, plan.weightsFile, plan.job.config.imageSize ?? plan.model.spec.defaultInputSize);
}

export async function writeJob(runDir: string, job: RunJob): Promise<void> {
  await fs.mkdir(runDir, { recursive: true });
  const tmp = path.join(runDir, `job.json.tmp-${process.pid}`);
  await fs.writeFile(tmp, JSON.stringify(job));
  await fs.rename(tmp, path.join(runDir, 'job.json'));
}

/** @throws AppError NOT_FOUND when the run folder lacks job.json (a run from another version, or deleted files). */
export async function readJob(runDir: string): Promise<RunJob> {
  const file = path.join(runDir, 'job.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as RunJob;
  } catch (err) {
    throw new AppError('NOT_FOUND', `Cannot read ${file} (${(err as Error).message}); this run cannot be resumed or re-evaluated. Start a new run.`, { file }, { cause: err });
  }
}
