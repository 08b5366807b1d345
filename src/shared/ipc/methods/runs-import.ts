// SPDX-License-Identifier: MIT
// Bringing a training package's result back: train.py's output folder becomes a run beside the
// run the package was exported from, evaluated on that run's test split.
import { z } from 'zod';
import { EvaluationSchema } from '../../dto/train';
import { FsPath } from './common';

export const runsImportMethods = {
  /** `dir`: train.py's --out folder (trained.keras or trained.weights.h5 + manifest.json), or the package folder holding output/. */
  'runs.import': {
    input: z.object({ dir: FsPath }).strict(),
    output: z.object({ runId: z.number(), sourceRunId: z.number(), file: z.string(), split: z.string(), evaluation: EvaluationSchema }),
  },
} as const;
