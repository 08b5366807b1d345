// SPDX-License-Identifier: MIT
// One streamed sha256 of a file for every caller (import, the image and feature caches,
// classification, weights, package import): memory stays flat for any file size.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hex sha256 of a file's bytes, read in 1 MiB chunks. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
