// SPDX-License-Identifier: MIT
// Fixing what evaluation finds: the images of one confusion cell and the dataset fixes made from
// there (relabel, exclude, trash), each undoable.
import { z } from 'zod';

export const FixActionSchema = z.enum(['relabel', 'exclude', 'trash']);
export type FixAction = z.infer<typeof FixActionSchema>;

export const FixSchema = z.object({
  id: z.number(),
  datasetId: z.number(),
  action: FixActionSchema,
  /** The image's dataset-relative path when the fix was made. */
  path: z.string(),
  /** relabel: the new dataset-relative path; trash: the file's absolute path in the trash folder. */
  toPath: z.string().nullable(),
  fromClass: z.string(),
  toClass: z.string().nullable(),
  createdAt: z.string(),
  undoneAt: z.string().nullable(),
});
export type FixDto = z.infer<typeof FixSchema>;

export const CellImageSchema = z.object({
  /** Dataset-relative path the run was evaluated on (a relabelled file has moved since: see `fix`). */
  path: z.string(),
  label: z.number(),
  predicted: z.number(),
  /** The predicted class's probability. */
  confidence: z.number(),
  scores: z.array(z.number()),
  /** The latest fix of this image that is not undone, if any. */
  fix: FixSchema.nullable(),
});
export type CellImage = z.infer<typeof CellImageSchema>;

export const CellPageSchema = z.object({
  runId: z.number(),
  datasetId: z.number(),
  /** The dataset's folder, so the renderer can show thumbnails of `path`s. */
  root: z.string(),
  label: z.number(),
  predicted: z.number(),
  total: z.number(),
  offset: z.number(),
  items: z.array(CellImageSchema),
});
export type CellPage = z.infer<typeof CellPageSchema>;
