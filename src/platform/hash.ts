// SPDX-License-Identifier: MIT
// One streamed file digest for every caller (import, the image and feature caches, classification,
// weights downloads and imports, package import): memory stays flat for any file size.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** 'md5' only for the Keras weight files whose published hash is one. */
export type HashAlgorithm = 'md5' | 'sha256';

/** Hex digest of a file's bytes, read in 1 MiB chunks. */
export async function hashFile(file: string, algorithm: HashAlgorithm): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Hex sha256 of a file's bytes. */
export function sha256File(file: string): Promise<string> {
  return hashFile(file, 'sha256');
}
