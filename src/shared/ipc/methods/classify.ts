// SPDX-License-Identifier: MIT
import { z } from 'zod';
import { ClassifyJobSchema, ClassifyResultSchema, OrganizeSummarySchema, UndoSummarySchema } from '../../dto/classify';
import { Empty, FsPath } from './common';

const JobId = z.number().int().positive();

export const classifyMethods = {
  /** Starts (or resumes) classifying a folder; progress arrives as 'job.progress' events with kind 'classify'. */
  'classify.start': {
    input: z
      .object({
        /** A run id, a model folder, or a zoo model name (ImageNet labels). */
        model: z.string().trim().min(1).max(4096).optional(),
        /** Optional only with `resume`. */
        dir: FsPath.optional(),
        recursive: z.boolean().optional(),
        topK: z.number().int().min(1).max(1000).optional(),
        threshold: z.number().min(0).max(1).optional(),
        /** Resume this job instead of matching one by folder and model. */
        resume: JobId.optional(),
      })
      .strict(),
    output: z.object({ jobId: z.number(), resumed: z.boolean() }),
  },
  'classify.cancel': { input: z.object({ jobId: JobId }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'classify.status': { input: z.object({ jobId: JobId }).strict(), output: ClassifyJobSchema },
  'classify.jobs': { input: Empty, output: z.array(ClassifyJobSchema) },
  'classify.results': {
    input: z
      .object({
        jobId: JobId,
        /** Final label; 'unsure' for unsure files. */
        label: z.string().max(500).optional(),
        minConfidence: z.number().min(0).max(1).optional(),
        maxConfidence: z.number().min(0).max(1).optional(),
        problems: z.boolean().optional(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    output: z.object({ total: z.number(), items: z.array(ClassifyResultSchema) }),
  },
  'classify.correct': {
    input: z.object({ jobId: JobId, path: z.string().min(1).max(4096), label: z.string().trim().min(1).max(500).nullable() }).strict(),
    output: ClassifyResultSchema,
  },
  'classify.organize': {
    input: z.object({ jobId: JobId, dest: FsPath, mode: z.enum(['copy', 'move']) }).strict(),
    output: OrganizeSummarySchema,
  },
  'classify.undo': {
    input: z.object({ jobId: JobId, logPath: FsPath.optional() }).strict(),
    output: UndoSummarySchema,
  },
  'classify.export': {
    input: z.object({ jobId: JobId, out: FsPath }).strict(),
    output: z.object({ path: z.string(), rows: z.number(), format: z.enum(['csv', 'json']) }),
  },
} as const;
