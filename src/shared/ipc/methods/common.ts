// SPDX-License-Identifier: MIT
import { z } from 'zod';

export const Empty = z.object({}).strict();
export const Id = z.object({ id: z.number().int().positive() }).strict();
/** Absolute or relative file-system path typed by the user; the engine resolves and confines it. */
export const FsPath = z.string().min(1).max(4096);
