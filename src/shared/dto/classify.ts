// SPDX-License-Identifier: MIT
// What the classify methods exchange: jobs, their results and organise runs, as plain JSON.
import { z } from 'zod';

export const TopKEntrySchema = z.object({ label: z.string(), p: z.number() });

export const ClassifyResultSchema = z.object({
  path: z.string(),
  /** The hand correction when there is one, else the model's label; null for a file that failed. */
  label: z.string().nullable(),
  modelLabel: z.string().nullable(),
  confidence: z.number().nullable(),
  topk: z.array(TopKEntrySchema),
  unsure: z.boolean(),
  corrected: z.boolean(),
  problem: z.object({ code: z.string(), reason: z.string() }).nullable(),
  sha256: z.string().nullable(),
});
export type ClassifyResultDto = z.infer<typeof ClassifyResultSchema>;

export const ClassifyProgressSchema = z.object({
  done: z.number(),
  total: z.number(),
  classified: z.number(),
  reused: z.number(),
  resumed: z.number(),
  problems: z.number(),
  unsure: z.number(),
  counts: z.record(z.string(), z.number()),
  imagesPerSec: z.number(),
  etaSeconds: z.number().nullable(),
  elapsedSeconds: z.number(),
  engine: z.enum(['onnxruntime', 'tfjs']).nullable(),
});
export type ClassifyProgressDto = z.infer<typeof ClassifyProgressSchema>;

export const OrganizeLogSchema = z.object({
  logPath: z.string(),
  mode: z.enum(['copy', 'move']),
  dest: z.string(),
  undone: z.boolean(),
  createdAt: z.string(),
});

export const ClassifyJobSchema = z.object({
  id: z.number(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']),
  root: z.string(),
  model: z.string(),
  modelKey: z.string(),
  recursive: z.boolean(),
  topK: z.number(),
  threshold: z.number(),
  labels: z.array(z.string()),
  engine: z.string().nullable(),
  fallbackReason: z.string().nullable(),
  progress: ClassifyProgressSchema.partial(),
  counts: z.object({
    total: z.number(),
    classified: z.number(),
    problems: z.number(),
    unsure: z.number(),
    corrected: z.number(),
    byLabel: z.record(z.string(), z.number()),
  }),
  organize: z.array(OrganizeLogSchema),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ClassifyJobDto = z.infer<typeof ClassifyJobSchema>;

export const OrganizeSummarySchema = z.object({
  mode: z.enum(['copy', 'move']),
  dest: z.string(),
  logPath: z.string(),
  done: z.number(),
  counts: z.record(z.string(), z.number()),
  /** The first 1000 files left alone, with why. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  skippedCount: z.number(),
});

export const UndoSummarySchema = z.object({
  logPath: z.string(),
  restored: z.number(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
