// SPDX-License-Identifier: MIT
// The runs history, the wizard's saved place, one-photo predictions and the validation confidences
// behind the threshold picker, as the UI and the CLI see them.
import { z } from 'zod';

export const WizardStateSchema = z.object({
  /** The project the last window had open (null: none, or it was deleted). */
  lastProjectId: z.number().nullable(),
  /** The project these fields belong to (the one asked for, else the last one open). */
  projectId: z.number().nullable(),
  step: z.string().nullable(),
  choices: z.record(z.string(), z.unknown()),
});
export type WizardStateDto = z.infer<typeof WizardStateSchema>;

export const PhotoPredictionSchema = z.object({
  runId: z.number(),
  /** The best class, or null when its confidence is below the threshold ("unsure"). */
  label: z.string().nullable(),
  confidence: z.number(),
  unsure: z.boolean(),
  threshold: z.number(),
  top: z.array(z.object({ label: z.string(), p: z.number() })),
  width: z.number(),
  height: z.number(),
});
export type PhotoPrediction = z.infer<typeof PhotoPredictionSchema>;

export const RunConfidencesSchema = z.object({
  runId: z.number(),
  /** Which images were scored: 'validation', or 'test' when the run kept no validation images. */
  split: z.string(),
  /** Top-1 confidence of each image, ascending. */
  confidence: z.array(z.number()),
  /** Whether the top-1 class was right, in the same order. */
  correct: z.array(z.boolean()),
  threshold: z.number().nullable(),
});
export type RunConfidences = z.infer<typeof RunConfidencesSchema>;

/** The threshold classification uses when neither the run nor the request names one. */
export const DEFAULT_UNSURE_THRESHOLD = 0.5;
