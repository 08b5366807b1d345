// SPDX-License-Identifier: MIT
import { z } from 'zod';
import { DoctorReportSchema } from '../../dto/doctor';
import { ModelDetailSchema, ModelSummarySchema } from '../../dto/models';
import { ProjectSchema } from '../../dto/project';
import { Empty, Id } from './common';

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'browser', 'cli']),
  steps: z.array(z.object({ id: z.string(), title: z.string() })),
});

export const appMethods = {
  'app.info': { input: Empty, output: AppInfoSchema },
  'doctor.report': { input: z.object({ integrity: z.boolean().optional() }).strict(), output: DoctorReportSchema },
  'models.list': { input: z.object({ kind: z.enum(['keras', 'classic']).optional() }).strict(), output: z.array(ModelSummarySchema) },
  /** The registry's default model (the renderer cannot read the registry): its `arch.tag` id, architecture and weights. */
  'models.default': { input: Empty, output: z.object({ id: z.string(), arch: z.string(), weights: z.string() }) },
  'models.show': { input: z.object({ id: z.string().min(1).max(64) }).strict(), output: ModelDetailSchema },
  'projects.list': { input: Empty, output: z.array(ProjectSchema) },
  'projects.create': { input: z.object({ name: z.string().trim().min(1).max(200) }).strict(), output: ProjectSchema },
  'projects.delete': { input: Id, output: z.object({ deleted: z.boolean() }) },
} as const;
