// SPDX-License-Identifier: MIT
// Long jobs: every one reports 'job.progress' (and 'job.status' for the calls that return when the
// job ends) under a kind and a job id, and `jobs.cancel` stops any of them by that pair.
import { z } from 'zod';

/** Every kind of long job, as it appears in 'job.progress' / 'job.status' events. */
export const JOB_KINDS = ['datasets.import', 'train', 'eval', 'export', 'classify', 'weights.download'] as const;
export const JobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof JobKindSchema>;

/**
 * A caller-chosen id for a job that runs inside one call (import, eval, export), so the caller can
 * cancel it before the call answers. Without one the engine picks an id and reports it in events.
 */
export const CallerJobId = z.string().min(1).max(100).regex(/^[\w.:-]+$/, 'letters, digits and . _ : - only');

export const jobsMethods = {
  /**
   * Cancels a job by the kind and id its events carry: a training run's id for 'train', a classify
   * job's id for 'classify', the download's jobId for 'weights.download', the caller's (or the
   * engine's) id for the rest. A cancelled call fails with CANCELLED and leaves no half files.
   */
  'jobs.cancel': { input: z.object({ kind: JobKindSchema, jobId: z.string().min(1).max(200) }).strict(), output: z.object({ cancelled: z.boolean() }) },
} as const;
