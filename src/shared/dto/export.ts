// SPDX-License-Identifier: MIT
import { z } from 'zod';

export const ExportFormatSchema = z.enum(['tfjs', 'keras', 'h5', 'onnx', 'tflite', 'package']);
export const QuantizationSchema = z.enum(['float16', 'int8']);

export const ExportedFileSchema = z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() });

export const ExportResultSchema = z.object({
  id: z.number().int(),
  runId: z.number().int().nullable(),
  format: ExportFormatSchema,
  path: z.string(),
  files: z.array(ExportedFileSchema),
  notes: z.array(z.string()),
  parity: z.object({ maxAbsDiff: z.number(), tolerance: z.number(), runtime: z.string() }).optional(),
  quantization: z
    .object({
      mode: QuantizationSchema,
      accuracyBefore: z.number().optional(),
      accuracyAfter: z.number().optional(),
      maxAbsDiff: z.number(),
      bytesBefore: z.number(),
      bytesAfter: z.number(),
    })
    .optional(),
});
export type ExportResultDto = z.infer<typeof ExportResultSchema>;

export const ExportRecordSchema = z.object({
  id: z.number().int(),
  runId: z.number().int().nullable(),
  format: z.string(),
  path: z.string(),
  files: z.array(ExportedFileSchema),
  createdAt: z.string(),
});
export type ExportRecordDto = z.infer<typeof ExportRecordSchema>;
