// SPDX-License-Identifier: MIT
// Checks one file the way a training run would meet it: readable, really an image, under the
// pixel limit, and decodable to the end. Never throws for a bad file; it says why instead.
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { sha256File } from '../../platform/hash';
import { decodeBmp, readBmpHeader } from './bmp';
import { describeContent, explainDecodeError, SNIFF_BYTES, sniffFormat, tooLargeReason } from './formats';
import type { ImageFormat, SkipCode } from './types';

export type Inspection =
  | { ok: true; bytes: number; mtimeMs: number; sha256: string; width: number; height: number; format: ImageFormat }
  | { ok: false; code: SkipCode; reason: string };

export interface InspectOptions {
  maxPixels: number;
  /** `decode` (default) decodes every image to catch truncation; `header` trusts the header. */
  verify?: 'decode' | 'header';
  /** Files up to this size are read into memory once (default 32 MiB); larger ones are streamed. */
  wholeFileBytes?: number;
}

/** Files up to this size are read into memory once instead of being opened three times. */
const WHOLE_FILE_BYTES = 32 * 1024 * 1024;

async function readHead(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Inspects one file; see `Inspection`. */
export async function inspectImage(path: string, opts: InspectOptions): Promise<Inspection> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      return { ok: false, code: 'NOT_A_FILE', reason: 'This is a folder whose name looks like an image.' };
    }
    if (!st.isFile()) {
      return { ok: false, code: 'NOT_A_FILE', reason: 'This is not a regular file (a device, pipe or socket).' };
    }
    if (st.size === 0) {
      return { ok: false, code: 'EMPTY', reason: 'The file is empty (0 bytes); copy it again or remove it.' };
    }
    // Small files are read once and checked from memory; big ones are streamed so memory stays flat.
    const whole = st.size <= (opts.wholeFileBytes ?? WHOLE_FILE_BYTES) ? await readFile(path) : undefined;
    const head = whole ? whole.subarray(0, SNIFF_BYTES) : await readHead(path);
    const format = sniffFormat(head);
    if (!format) {
      return { ok: false, code: 'NOT_IMAGE', reason: `This is not an image: ${describeContent(head)}.` };
    }
    const sha256 = whole ? createHash('sha256').update(whole).digest('hex') : await sha256File(path);
    const input = whole ?? path;
    let width: number;
    let height: number;
    let bmpBytes: Uint8Array | undefined;
    if (format === 'bmp') {
      bmpBytes = whole ?? (await readFile(path));
      ({ width, height } = readBmpHeader(bmpBytes, path));
    } else {
      // No pixel limit here: the header alone is read, and we want the size to tell the user.
      const meta = await sharp(input, { limitInputPixels: false }).metadata();
      width = meta.autoOrient?.width ?? meta.width ?? 0;
      height = meta.autoOrient?.height ?? meta.height ?? 0;
    }
    if (width * height > opts.maxPixels) {
      return { ok: false, code: 'TOO_LARGE', reason: tooLargeReason(width, height, opts.maxPixels) };
    }
    if ((opts.verify ?? 'decode') === 'decode') {
      if (bmpBytes) decodeBmp(bmpBytes, path, opts.maxPixels);
      // A thumbnail decode reads all the compressed data (so truncation shows) with little memory.
      else
        await sharp(input, { failOn: 'truncated', limitInputPixels: opts.maxPixels })
          .resize(16, 16, { fit: 'inside' })
          .raw()
          .toBuffer();
    }
    return { ok: true, bytes: st.size, mtimeMs: st.mtimeMs, sha256, width, height, format };
  } catch (err) {
    const { code, reason } = explainDecodeError(err);
    return { ok: false, code, reason };
  }
}
