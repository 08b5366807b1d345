// SPDX-License-Identifier: MIT
// The wizard's saved place, the runs history (rename, delete, threshold) and one-photo tests.
import { z } from 'zod';
import { PhotoPredictionSchema, RunConfidencesSchema, WizardStateSchema } from '../../dto/runs';
import { RunSummarySchema } from '../../dto/train';
import { FsPath } from './common';

const ProjectId = z.number().int().positive();
const RunId = z.number().int().positive();
/** A photo the renderer read (a dropped file, downscaled): a data URL or bare base64, under the 1 MiB body limit. */
const ImageData = z.string().min(8).max(1_000_000);

export const runsMethods = {
  /** The saved step and choices of `projectId`, else of the project open last. */
  'wizard.get': { input: z.object({ projectId: ProjectId.optional() }).strict(), output: WizardStateSchema },
  /** Remembers the open project (null: none) and, for it, the step and/or the choices. */
  'wizard.save': {
    input: z
      .object({ projectId: ProjectId.nullable(), step: z.string().min(1).max(64).nullable().optional(), choices: z.record(z.string(), z.unknown()).optional() })
      .strict()
      .refine((v) => v.projectId !== null || (v.step === undefined && v.choices === undefined), { message: 'step and choices need a projectId.' }),
    output: WizardStateSchema,
  },
  'runs.rename': { input: z.object({ id: RunId, name: z.string().trim().max(200).nullable() }).strict(), output: RunSummarySchema },
  /** Deletes the run's record, its epochs and (unless keepFiles) its folder: checkpoints, model, job. */
  'runs.delete': {
    input: z.object({ id: RunId, keepFiles: z.boolean().optional() }).strict(),
    output: z.object({ deleted: z.boolean(), removedDir: z.string().nullable() }),
  },
  /** Sets the "unsure" threshold of a run (null: back to the default); exports and classify use it. */
  'runs.setThreshold': { input: z.object({ id: RunId, threshold: z.number().min(0).max(1).nullable() }).strict(), output: RunSummarySchema },
  /** The top-1 confidence and correctness of every validation image of a run, for the threshold picker. */
  'runs.confidences': { input: z.object({ id: RunId }).strict(), output: RunConfidencesSchema },
  /** Classifies one photo with a trained run: a file path, or image bytes the UI read. */
  'classify.photo': {
    input: z
      .object({ runId: RunId, path: FsPath.optional(), image: ImageData.optional(), topK: z.number().int().min(1).max(20).optional() })
      .strict()
      .refine((v) => (v.path === undefined) !== (v.image === undefined), { message: 'Pass exactly one of path or image.' }),
    output: PhotoPredictionSchema,
  },
} as const;
