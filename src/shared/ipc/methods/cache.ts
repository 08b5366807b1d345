// SPDX-License-Identifier: MIT
// The decoded-image cache (every photo decoded once, at its working size): how big, and emptying it.
import { z } from 'zod';
import { ImageCacheClearSchema, ImageCacheInfoSchema } from '../../dto/cache';

export const cacheMethods = {
  /** Entries, bytes, leftovers of killed writers and the size bound. */
  'cache.info': { input: z.object({}).strict(), output: ImageCacheInfoSchema },
  /** Deletes every entry; the next run decodes its photos again. */
  'cache.clear': { input: z.object({}).strict(), output: ImageCacheClearSchema },
} as const;
