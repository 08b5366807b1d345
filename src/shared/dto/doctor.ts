// SPDX-License-Identifier: MIT
import { z } from 'zod';
import { ImageCacheInfoSchema } from './cache';

export const BackendProbeSchema = z.object({
  name: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
  available: z.boolean(),
  reason: z.string().optional(),
  package: z.string(),
  libtensorflow: z
    .object({
      source: z.enum(['official', 'local-wheel', 'unknown']),
      version: z.string().optional(),
      path: z.string().optional(),
      python: z.string().optional(),
      loadedVersion: z.string().optional(),
    })
    .optional(),
  gpuDevice: z.boolean().optional(),
});

export const DoctorReportSchema = z.object({
  app: z.object({ name: z.string(), version: z.string() }),
  platform: z.object({ os: z.string(), arch: z.string(), cpus: z.number(), memoryGiB: z.number() }),
  node: z.string(),
  electron: z.object({ installed: z.boolean(), version: z.string().optional(), reason: z.string().optional() }),
  backends: z.array(BackendProbeSchema),
  selectedBackend: z.string(),
  onnxruntime: z.object({ available: z.boolean(), version: z.string().optional(), reason: z.string().optional() }),
  gpu: z.object({
    visible: z.boolean(),
    details: z.string(),
    /** Why tfjs-node-gpu can or cannot use the GPU here: what its libtensorflow needs against what the machine has. */
    tfjsNodeGpu: z.object({ usable: z.boolean(), needs: z.string(), has: z.string() }).optional(),
  }),
  kerasCache: z.object({ dir: z.string(), exists: z.boolean(), files: z.number(), bytes: z.number() }),
  dataDir: z.string(),
  imageCache: ImageCacheInfoSchema,
  database: z.object({
    path: z.string(),
    exists: z.boolean(),
    schemaVersion: z.number(),
    latestSchemaVersion: z.number(),
    integrity: z.array(z.string()).optional(),
    error: z.string().optional(),
  }),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
