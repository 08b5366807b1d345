// SPDX-License-Identifier: MIT
// Datasets, training runs and evaluations as the UI and the CLI see them.
import { z } from 'zod';

export const SkippedFileSchema = z.object({ path: z.string(), code: z.string(), reason: z.string() });
export const DuplicateGroupSchema = z.object({ sha256: z.string(), paths: z.array(z.string()), classes: z.array(z.string()), crossClass: z.boolean() });

/** Identical (`exact`: same bytes, kept in one split) or near-identical images (`near`: a pair that looks the same, reported). */
export const SimilarGroupSchema = z.object({ kind: z.enum(['exact', 'near']), paths: z.array(z.string()), classes: z.array(z.string()), crossClass: z.boolean() });
export type SimilarGroup = z.infer<typeof SimilarGroupSchema>;
export const ClassFindingSchema = z.object({ code: z.enum(['TINY_CLASS', 'IMBALANCED']), className: z.string(), count: z.number(), message: z.string() });
/** A group of similar images that the split had put into more than one of train/validation/test. */
export const LeakSchema = z.object({
  kind: z.enum(['exact', 'near']),
  paths: z.array(z.string()),
  before: z.record(z.string(), z.enum(['train', 'validation', 'test'])),
  keptIn: z.enum(['train', 'validation', 'test']),
  /** True when every member was moved into `keptIn` (exact copies); near pairs are only reported. */
  moved: z.boolean(),
});
export type Leak = z.infer<typeof LeakSchema>;

export const DatasetSummarySchema = z.object({
  id: z.number(),
  projectId: z.number().nullable(),
  root: z.string(),
  name: z.string(),
  layout: z.string(),
  classes: z.array(z.string()),
  classCounts: z.record(z.string(), z.number()),
  images: z.number(),
  /** Images per user split folder (train/validation/test) when the folder has them. */
  userSplits: z.record(z.string(), z.number()),
  skipped: z.array(SkippedFileSchema),
  duplicates: z.array(DuplicateGroupSchema),
  /** Exact and near duplicates (perceptual hash), cross-class groups first. */
  similar: z.array(SimilarGroupSchema),
  /** Tiny and imbalanced classes. */
  findings: z.array(ClassFindingSchema),
  /** Images left out of training by a fix (exclude). */
  excluded: z.array(z.string()),
  scannedAt: z.string().nullable(),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const ImportResultSchema = z.object({
  dataset: DatasetSummarySchema,
  /** False on the first import of a folder. */
  reimport: z.boolean(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
  unchanged: z.number(),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;

export const SplitSettingsSchema = z.object({
  validation: z.number().min(0).max(0.9).optional(),
  test: z.number().min(0).max(0.9).optional(),
  seed: z.number().int().optional(),
  /** Keep identical images in one split (default true); false only reports the leaks. Near pairs are always only reported. */
  fixLeakage: z.boolean().optional(),
});
export type SplitSettings = z.infer<typeof SplitSettingsSchema>;

export const SplitReportSchema = z.object({
  settings: z.object({ validation: z.number(), test: z.number(), seed: z.number() }),
  counts: z.record(z.string(), z.object({ train: z.number(), validation: z.number(), test: z.number(), total: z.number() })),
  warnings: z.array(z.object({ code: z.string(), className: z.string().optional(), message: z.string() })),
  classWeights: z.record(z.string(), z.number()),
  /** Similar images the split had spread over several splits; `fixed` when they were moved into one. */
  leaks: z.array(LeakSchema),
  leaksFixed: z.boolean(),
});

export const DatasetDetailSchema = DatasetSummarySchema.extend({ split: SplitReportSchema });
export type DatasetDetail = z.infer<typeof DatasetDetailSchema>;

export const AugmentSettingsSchema = z
  .object({
    flipHorizontal: z.boolean().optional(),
    flipVertical: z.boolean().optional(),
    randomResizedCrop: z.union([z.literal(false), z.object({ scale: z.tuple([z.number(), z.number()]).optional(), ratio: z.tuple([z.number(), z.number()]).optional() })]).optional(),
    rotation: z.number().min(0).max(180).optional(),
    brightness: z.number().min(0).max(1).optional(),
    contrast: z.number().min(0).max(1).optional(),
    fill: z.enum(['reflect', 'constant', 'nearest']).optional(),
  })
  .strict();
export type AugmentSettings = z.infer<typeof AugmentSettingsSchema>;

export const PreviewImageSchema = z.object({ path: z.string(), className: z.string(), dataUrl: z.string() });

export const TrainStartSchema = z
  .object({
    datasetId: z.number().int().positive(),
    backbone: z.string().min(1).max(64),
    /**
     * A tag of the backbone's registry entry ('nsfwjs', 'imagenet', 'none' / 'scratch'; default:
     * the backbone's first, see `transfer-studio models`) or the path of the user's own weights
     * file (Keras .h5 or .weights.h5, .keras, TF.js model.json), checked before the run starts.
     */
    weights: z.string().min(1).max(4096).optional(),
    /** 'all' (default), 'none' or a block name of the backbone. */
    freezeUntil: z.string().min(1).max(64).optional(),
    /** Epochs in all; the two-phase recipe takes a third of them for fine-tuning unless fineTuneEpochs is given. */
    epochs: z.number().int().min(1).max(1000),
    batch: z.number().int().min(1).max(1024).optional(),
    lr: z.number().positive().max(10).optional(),
    imageSize: z.number().int().min(16).max(1024).optional(),
    seed: z.number().int().optional(),
    fineTuneBlocks: z.number().int().min(0).max(1000).optional(),
    fineTuneEpochs: z.number().int().min(0).max(1000).optional(),
    fineTuneLr: z.number().positive().max(10).optional(),
    optimizer: z.enum(['adam', 'sgd']).optional(),
    schedule: z.enum(['constant', 'cosine', 'step']).optional(),
    labelSmoothing: z.number().min(0).max(0.99).optional(),
    patience: z.number().int().min(0).optional(),
    classWeights: z.enum(['balanced', 'none']).optional(),
    dropout: z.number().min(0).max(0.95).optional(),
    /** false turns augmentation off; default: flips, small crops, rotation, brightness, contrast. */
    augment: z.union([z.literal(false), AugmentSettingsSchema]).optional(),
    // The split's fractions and leak fix, declared once with the split preview's (datasets.get).
    ...SplitSettingsSchema.pick({ validation: true, test: true, fixLeakage: true }).shape,
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional(),
  })
  .strict();
export type TrainStart = z.infer<typeof TrainStartSchema>;

export const RunStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);

const Averages = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

export const EvaluationSchema = z.object({
  n: z.number(),
  numClasses: z.number(),
  classNames: z.array(z.string()),
  accuracy: z.number(),
  top5Accuracy: z.number(),
  perClass: z.array(z.object({ name: z.string(), precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  macro: Averages,
  weighted: Averages,
  confusion: z.array(z.array(z.number())),
  ece: z.number(),
  calibration: z.array(z.object({ upper: z.number(), count: z.number(), confidence: z.number(), accuracy: z.number() })),
  logLoss: z.number(),
  misclassified: z.array(
    z.object({ index: z.number(), id: z.string().optional(), label: z.number(), predicted: z.number(), confidence: z.number(), trueScore: z.number(), scores: z.array(z.number()) }),
  ),
  /** Which images were scored: the run's test split, its validation split, or another folder. */
  split: z.string().optional(),
  datasetId: z.number().optional(),
});
export type EvaluationDto = z.infer<typeof EvaluationSchema>;

export const EpochSchema = z.object({
  phase: z.number(),
  epoch: z.number(),
  loss: z.number().nullable(),
  acc: z.number().nullable(),
  valLoss: z.number().nullable(),
  valAcc: z.number().nullable(),
  lr: z.number().nullable(),
  seconds: z.number().nullable(),
  imagesPerSec: z.number().nullable(),
});
/** One recorded epoch: declared here once; the store's rows and the renderer's chart points use it. */
export type EpochDto = z.infer<typeof EpochSchema>;

export const RunSummarySchema = z.object({
  id: z.number(),
  projectId: z.number().nullable(),
  datasetId: z.number().nullable(),
  backbone: z.string(),
  weights: z.string(),
  status: RunStatusSchema,
  backend: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  accuracy: z.number().nullable(),
  error: z.string().nullable(),
  /** The name the user gave the run, if any. */
  name: z.string().nullable().optional(),
  /** The run's "unsure" threshold, if one was chosen. */
  threshold: z.number().nullable().optional(),
  /** Set on a run imported from a training package (runs.import): the run the package came from. */
  sourceRunId: z.number().nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const RunDetailSchema = RunSummarySchema.extend({
  config: z.record(z.string(), z.unknown()),
  epochs: z.array(EpochSchema),
  evaluation: EvaluationSchema.nullable(),
  engineNotes: z.array(z.string()),
  dir: z.string().nullable(),
  /** The trained model folder (TF.js layers + meta.json), once the run completed. */
  modelDir: z.string().nullable(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;
