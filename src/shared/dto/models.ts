// SPDX-License-Identifier: MIT
import { z } from 'zod';

export const ModelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  kind: z.enum(['keras', 'classic']),
  paper: z.object({ title: z.string(), authors: z.string(), year: z.number(), url: z.string() }),
  story: z.string(),
  inputSize: z.number(),
  preprocess: z.string(),
  params: z.number(),
  paramsNotop: z.number(),
  depth: z.number().optional(),
  sizeMb: z.number().optional(),
  top1: z.number().optional(),
  top5: z.number().optional(),
  cpuMsPerStep: z.number().optional(),
  cached: z.object({ top: z.boolean(), notop: z.boolean() }),
  weightSources: z.array(z.string()),
  /** The `arch.tag` entries of this architecture, the default first, with where they come from and whether they can be used now. */
  weights: z.array(
    z.object({
      id: z.string(),
      tag: z.string(),
      /** The value train.start takes as `weights`. */
      weights: z.string(),
      label: z.string(),
      source: z.enum(['download', 'bundled', 'none']),
      /** Approximate size of the weights (the notop download, or the bundled shards). */
      bytes: z.number().optional(),
      preprocess: z.string(),
      available: z.boolean(),
      /** Why not, and what to do, when unavailable. */
      reason: z.string().optional(),
    }),
  ),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const BlockSchema = z.object({
  name: z.string(),
  layers: z.array(z.string()),
  params: z.number(),
  trainableParams: z.number(),
});

export const LayerRowSchema = z.object({
  name: z.string(),
  className: z.string(),
  outputShape: z.string(),
  params: z.number(),
  connectedTo: z.array(z.string()),
});

export const ModelDetailSchema = ModelSummarySchema.extend({
  blocks: z.array(BlockSchema),
  layers: z.array(LayerRowSchema),
  totals: z.object({ total: z.number(), trainable: z.number(), nonTrainable: z.number() }),
});
export type ModelDetail = z.infer<typeof ModelDetailSchema>;
