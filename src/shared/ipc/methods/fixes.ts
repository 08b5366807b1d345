// SPDX-License-Identifier: MIT
// The images behind each confusion cell, and fixing the dataset from there: relabel (move the file
// to another class folder), exclude from training, or move to the project's trash; undo; retrain.
import { z } from 'zod';
import { CellPageSchema, FixSchema } from '../../dto/fixes';

const Id = z.number().int().positive();
const RelPath = z.string().min(1).max(4096);

export const fixesMethods = {
  /**
   * One confusion cell's images (diagonal included), most confident first unless `order` is 'asc',
   * paged. The run's evaluation predictions are computed once and stored if they are not yet.
   */
  'eval.cell': {
    input: z
      .object({
        runId: Id,
        label: z.number().int().min(0),
        predicted: z.number().int().min(0),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(200).optional(),
        order: z.enum(['desc', 'asc']).optional(),
      })
      .strict(),
    output: CellPageSchema,
  },
  'fixes.apply': {
    input: z.discriminatedUnion('action', [
      z.object({ action: z.literal('relabel'), datasetId: Id, path: RelPath, toClass: z.string().min(1).max(255) }).strict(),
      z.object({ action: z.literal('exclude'), datasetId: Id, path: RelPath }).strict(),
      z.object({ action: z.literal('trash'), datasetId: Id, path: RelPath }).strict(),
    ]),
    output: FixSchema,
  },
  /** Reverses a fix: the file goes back where it was, an excluded image is included again. */
  'fixes.undo': { input: z.object({ id: Id }).strict(), output: FixSchema },
  /** A dataset's fixes, newest first. */
  'fixes.list': { input: z.object({ datasetId: Id }).strict(), output: z.array(FixSchema) },
  /** Trains a new run with the settings of `runId` on its dataset as it is now (rescanned, fixes applied). */
  'train.retrain': { input: z.object({ runId: Id }).strict(), output: z.object({ runId: z.number(), sourceRunId: z.number() }) },
} as const;
