// SPDX-License-Identifier: MIT
// The decoded-image cache as the UI and the CLI see it.
import { z } from 'zod';

export const ImageCacheInfoSchema = z.object({
  dir: z.string(),
  entries: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  /** Temp files of writers that were killed; the next prune removes them. */
  partial: z.number().int().nonnegative(),
  /** The bound: least recently used entries are evicted above it. */
  maxBytes: z.number().nonnegative(),
});
export type ImageCacheInfoDto = z.infer<typeof ImageCacheInfoSchema>;

export const ImageCacheClearSchema = z.object({ dir: z.string(), removed: z.number().int().nonnegative(), bytes: z.number().nonnegative() });
