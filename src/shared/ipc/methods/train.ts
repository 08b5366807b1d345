// SPDX-License-Identifier: MIT
// Datasets, training runs and evaluation.
import { z } from 'zod';
import {
  AugmentSettingsSchema,
  DatasetDetailSchema,
  DatasetSummarySchema,
  EvaluationSchema,
  ImportResultSchema,
  PreviewImageSchema,
  RunDetailSchema,
  RunSummarySchema,
  SplitSettingsSchema,
  TrainStartSchema,
} from '../../dto/train';
import { FsPath, Id } from './common';
import { CallerJobId } from './jobs';

const RunId = z.object({ runId: z.number().int().positive() }).strict();

export const trainMethods = {
  'datasets.import': { input: z.object({ root: FsPath, projectId: z.number().int().positive().optional(), jobId: CallerJobId.optional() }).strict(), output: ImportResultSchema },
  'datasets.list': { input: z.object({ projectId: z.number().int().positive().optional() }).strict(), output: z.array(DatasetSummarySchema) },
  'datasets.get': { input: z.object({ id: z.number().int().positive(), split: SplitSettingsSchema.optional() }).strict(), output: DatasetDetailSchema },
  'datasets.preview': {
    input: z
      .object({
        id: z.number().int().positive(),
        className: z.string().optional(),
        /** These images (dataset-relative paths) instead of a spread over the class or dataset. */
        paths: z.array(z.string().min(1).max(4096)).max(64).optional(),
        n: z.number().int().min(1).max(64),
        size: z.number().int().min(16).max(256).optional(),
      })
      .strict(),
    output: z.array(PreviewImageSchema),
  },
  'datasets.augmentPreview': {
    input: z
      .object({
        id: z.number().int().positive(),
        path: z.string().optional(),
        className: z.string().optional(),
        n: z.number().int().min(1).max(32),
        seed: z.number().int().optional(),
        size: z.number().int().min(16).max(256).optional(),
        augment: AugmentSettingsSchema.optional(),
      })
      .strict(),
    output: z.object({ path: z.string(), original: z.string(), samples: z.array(z.string()) }),
  },
  'train.start': { input: TrainStartSchema, output: z.object({ runId: z.number() }) },
  'train.cancel': { input: RunId, output: z.object({ cancelled: z.boolean() }) },
  'train.resume': { input: RunId, output: z.object({ runId: z.number() }) },
  'runs.list': { input: z.object({ projectId: z.number().int().positive().optional() }).strict(), output: z.array(RunSummarySchema) },
  'runs.get': { input: Id, output: RunDetailSchema },
  'eval.run': { input: z.object({ runId: z.number().int().positive(), datasetId: z.number().int().positive().optional(), jobId: CallerJobId.optional() }).strict(), output: EvaluationSchema },
} as const;
