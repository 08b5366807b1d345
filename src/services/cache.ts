// SPDX-License-Identifier: MIT
// The decoded-image cache's contract handlers.
import { clearImageCache, DEFAULT_IMAGE_CACHE_BYTES, imageCacheInfo } from '../engine/data/image-cache';
import type { ImageCacheInfoDto } from '../shared/dto/cache';
import type { Handlers } from '../shared/ipc/contract';
import type { cacheMethods } from '../shared/ipc/methods/cache';
import { imageCacheDir } from '../platform/paths';
import type { ServiceContext } from './context';

export function imageCacheStatus(dir = imageCacheDir()): ImageCacheInfoDto {
  return { ...imageCacheInfo(dir), maxBytes: DEFAULT_IMAGE_CACHE_BYTES };
}

export function cacheHandlers(_ctx: ServiceContext): Handlers<typeof cacheMethods> {
  return {
    'cache.info': async () => imageCacheStatus(),
    'cache.clear': async () => {
      const dir = imageCacheDir();
      return { dir, ...clearImageCache(dir) };
    },
  };
}
