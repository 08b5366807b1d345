// SPDX-License-Identifier: MIT
import { z } from 'zod';
import { ExportFormatSchema, ExportRecordSchema, ExportResultSchema, QuantizationSchema } from '../../dto/export';
import { FsPath } from './common';
import { CallerJobId } from './jobs';

export const exportMethods = {
  /** Exports a run's trained model (or a model folder) as one format, to a folder or a zip. */
  'export.run': {
    input: z
      .object({
        runId: z.number().int().positive().optional(),
        /** A model folder (model.json + weights.bin + meta.json) instead of a run. */
        modelDir: FsPath.optional(),
        format: ExportFormatSchema,
        out: FsPath,
        zip: z.boolean().optional(),
        quantize: QuantizationSchema.optional(),
        jobId: CallerJobId.optional(),
      })
      .strict()
      .refine((v) => (v.runId === undefined) !== (v.modelDir === undefined), { message: 'Pass exactly one of runId or modelDir.' }),
    output: ExportResultSchema,
  },
  'export.list': { input: z.object({ runId: z.number().int().positive().optional() }).strict(), output: z.array(ExportRecordSchema) },
} as const;
