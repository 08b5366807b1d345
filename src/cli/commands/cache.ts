// SPDX-License-Identifier: MIT
// `transfer-studio cache info|clear`: the decoded-image cache, through the contract.
import type { Command } from 'commander';
import { callEngine } from '../context';
import { formatBytes, printJson } from '../output';
import type { ImageCacheInfoDto } from '../../shared/dto/cache';

/** `/data/image-cache (120 decoded images, 18.1 MiB of 2.0 GiB)`. */
export function formatImageCache(c: ImageCacheInfoDto): string {
  const partial = c.partial ? `, ${c.partial} leftover temp file(s) of killed writers` : '';
  return `${c.dir} (${c.entries} decoded image(s), ${formatBytes(c.bytes)} of ${formatBytes(c.maxBytes)}${partial}; clear with: transfer-studio cache clear)`;
}

export function registerCache(program: Command): void {
  const cache = program.command('cache').description('the decoded-image cache: every photo decoded once, at its working size');
  cache
    .command('info')
    .description('where the cache is, how many images and bytes it holds, and its bound')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const info = await callEngine('cache.info', {});
      if (opts.json) printJson(info);
      else process.stdout.write(`${formatImageCache(info)}\n`);
    });
  cache
    .command('clear')
    .description('delete every decoded image (the next run decodes its photos again)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await callEngine('cache.clear', {});
      if (opts.json) printJson(r);
      else process.stdout.write(`Removed ${r.removed} file(s), ${formatBytes(r.bytes)}, from ${r.dir}\n`);
    });
}
