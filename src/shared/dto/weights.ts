// SPDX-License-Identifier: MIT
// Pretrained weights as the UI and the CLI see them: Keras's cache per model and variant, and the
// weights the app bundles.
import { z } from 'zod';

export const WeightsVariantSchema = z.enum(['top', 'notop']);
export type WeightsVariantDto = z.infer<typeof WeightsVariantSchema>;

export const CachedWeightsSchema = z.object({
  variant: WeightsVariantSchema,
  /** Keras's own file name (a file Keras downloaded is used as is). */
  fileName: z.string(),
  path: z.string(),
  present: z.boolean(),
  bytes: z.number(),
  url: z.string(),
  /** The hash Keras lists; null for MobileNet/MobileNetV2, which have none. */
  expectedHash: z.string().nullable(),
  hashAlgorithm: z.enum(['md5', 'sha256']).nullable(),
  /** An interrupted download (`.part`) that the next download resumes. */
  partial: z.boolean(),
  /** True while this process downloads it. */
  downloading: z.boolean(),
});

export const WeightsModelSchema = z.object({
  /** Keras Applications name, e.g. "ResNet50". */
  model: z.string(),
  /** Zoo id, e.g. "resnet50". */
  id: z.string(),
  variants: z.array(CachedWeightsSchema),
});

export const BundledWeightsSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Zoo id the weights fit. */
  modelId: z.string(),
  preprocess: z.string(),
  available: z.boolean(),
  version: z.string().optional(),
  homepage: z.string().optional(),
  licence: z.object({ spdx: z.string(), copyright: z.string(), file: z.string() }).optional(),
  /** Why it is not available (package missing). */
  reason: z.string().optional(),
});

export const WeightsListSchema = z.object({
  dir: z.string(),
  models: z.array(WeightsModelSchema),
  bundled: z.array(BundledWeightsSchema),
});
export type WeightsList = z.infer<typeof WeightsListSchema>;

export const WeightsDownloadResultSchema = z.object({
  model: z.string(),
  variant: WeightsVariantSchema,
  /** The id of this download's 'job.progress' events. */
  jobId: z.string(),
  path: z.string(),
  bytes: z.number(),
  hash: z.string(),
  algorithm: z.enum(['md5', 'sha256']),
  cached: z.boolean(),
  waited: z.boolean(),
  resumed: z.boolean(),
});

export const WeightsVerifySchema = z.object({
  model: z.string(),
  variant: WeightsVariantSchema,
  path: z.string(),
  ok: z.boolean(),
  status: z.enum(['ok', 'mismatch', 'missing', 'unverifiable']),
  algorithm: z.enum(['md5', 'sha256']),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
});

export const WeightsImportResultSchema = z.object({
  model: z.string(),
  variant: WeightsVariantSchema,
  /** Where the file now lies in the cache, under Keras's file name. */
  path: z.string(),
  bytes: z.number(),
  format: z.enum(['keras-h5-weights', 'keras-h5-model', 'keras-v3-weights']),
  layers: z.number(),
  weightsLoaded: z.number(),
  /** True when the cache already held a file under that name and it was replaced. */
  replaced: z.boolean(),
});

/** A user's own weights file checked against a backbone (weights.check; train.start runs the same check). */
export const WeightsCheckResultSchema = z.object({
  /** The zoo id the file was checked against. */
  model: z.string(),
  /** The file, as an absolute path: the value train.start takes as `weights`. */
  file: z.string(),
  bytes: z.number(),
  format: z.enum(['keras-h5-weights', 'keras-h5-model', 'keras-v3', 'tfjs-layers']),
  weightsLoaded: z.number(),
  /** The input size it was checked at. */
  imageSize: z.number(),
});
export type WeightsCheckResult = z.infer<typeof WeightsCheckResultSchema>;
