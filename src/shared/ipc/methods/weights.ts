// SPDX-License-Identifier: MIT
// Pretrained weights: Keras's cache (list, download, verify, remove, import a file) and the bundled sources.
import { z } from 'zod';
import { WeightsCheckResultSchema, WeightsDownloadResultSchema, WeightsImportResultSchema, WeightsListSchema, WeightsVariantSchema, WeightsVerifySchema } from '../../dto/weights';
import { FsPath } from './common';

/** A Keras Applications name ("ResNet50") or a zoo id ("resnet50"). */
const ModelName = z.string().trim().min(1).max(64);

export const weightsMethods = {
  /** Per Keras model, whether each variant is cached, its size, URL and hash; plus the bundled weights. */
  'weights.list': { input: z.object({ model: ModelName.optional() }).strict(), output: WeightsListSchema },
  /**
   * Downloads into the cache and returns when the file is verified in place. Progress arrives as
   * 'job.progress' events (kind 'weights.download', jobId `weights:<Model>:<variant>`).
   */
  'weights.download': { input: z.object({ model: ModelName, variant: WeightsVariantSchema }).strict(), output: WeightsDownloadResultSchema },
  /** Cancels a download running in this process; its `.part` is kept for resuming. */
  'weights.cancel': { input: z.object({ model: ModelName, variant: WeightsVariantSchema }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** Checks cached files against Keras's hashes (both variants unless one is named). */
  'weights.verify': { input: z.object({ model: ModelName, variant: WeightsVariantSchema.optional() }).strict(), output: z.array(WeightsVerifySchema) },
  /** Deletes cached files and their `.part` (both variants unless one is named). */
  'weights.remove': {
    input: z.object({ model: ModelName, variant: WeightsVariantSchema.optional() }).strict(),
    output: z.object({ removed: z.array(z.string()) }),
  },
  /**
   * Copies a Keras weights .h5 into the cache under Keras's file name after loading it into the zoo
   * model (by position, as Keras does, or by name). The variant is detected when not given. A Keras 3
   * `.weights.h5` (model.save_weights) is kept beside the cache, in `<cache>/transfer-studio/`.
   */
  'weights.import': {
    input: z.object({ file: FsPath, model: ModelName, variant: WeightsVariantSchema.optional(), byName: z.boolean().optional() }).strict(),
    output: WeightsImportResultSchema,
  },
  /**
   * Checks the user's own weights file (Keras .h5 / .weights.h5, .keras, TF.js model.json) against a
   * backbone without its top, at `imageSize` (default the model's own): it must fill every weighted
   * layer. The same check train.start runs before a run is created, with the same messages.
   */
  'weights.check': {
    input: z.object({ file: FsPath, model: ModelName, imageSize: z.number().int().min(8).max(1024).optional() }).strict(),
    output: WeightsCheckResultSchema,
  },
} as const;
