// SPDX-License-Identifier: MIT
import { z } from 'zod';

export const ProjectSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  settings: z.record(z.string(), z.unknown()),
});
export type Project = z.infer<typeof ProjectSchema>;
