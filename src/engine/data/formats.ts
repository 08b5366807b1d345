// SPDX-License-Identifier: MIT
// Which files count as images, what their bytes really are, and how to tell a user why one
// could not be used. Shared by the scanner, the decoder and the pipeline so the words match.
import { AppError } from '../../shared/errors';
import { isBmp } from './bmp';
import type { ImageFormat, SkipCode } from './types';

/** File extensions (lower case, with dot) that the scanner looks at. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, ImageFormat>> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.jpe': 'jpeg',
  '.jfif': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
  '.gif': 'gif',
  '.bmp': 'bmp',
  '.dib': 'bmp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** Default pixel limit: 100 megapixels, far above any photo, far below a decompression bomb. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Bytes needed by `sniffFormat`. */
export const SNIFF_BYTES = 32;

/** The format the bytes say, whatever the file is called. */
export function sniffFormat(head: Uint8Array): ImageFormat | undefined {
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 6 && ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)))
    return 'tiff';
  if (isBmp(b)) return 'bmp';
  return undefined;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** A guess at what a non-image file is, to make the skip reason concrete. */
export function describeContent(head: Uint8Array): string {
  const s = ascii(head, 0, Math.min(head.length, SNIFF_BYTES));
  if (s.startsWith('%PDF')) return 'it is a PDF document';
  if (s.startsWith('PK')) return 'it is a ZIP archive';
  if (/^\s*<(!doctype html|html)/i.test(s)) return 'it is a web page (HTML), perhaps a failed download';
  if (/^\s*<svg|^\s*<\?xml/i.test(s)) return 'it is an SVG or XML file, which is not supported';
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') return 'it is HEIC/AVIF or a video, which is not supported';
  const printable = head.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0x80);
  if (printable) return 'it contains text';
  return 'its contents are not a known image format';
}

/** A skip code and a sentence for a user, from anything a decoder threw. */
export function explainDecodeError(err: unknown): { code: SkipCode; reason: string } {
  if (err instanceof AppError) {
    if (err.code === 'INVALID_INPUT') return { code: 'TOO_LARGE', reason: err.message };
    if (err.code === 'UNSUPPORTED') return { code: 'UNSUPPORTED_TYPE', reason: err.message };
    if (err.code === 'FILE_UNREADABLE') return { code: 'UNREADABLE', reason: err.message };
  }
  const sys = (err as { code?: string }).code;
  if (sys === 'EACCES' || sys === 'EPERM') {
    return { code: 'UNREADABLE', reason: 'Permission denied: the file cannot be read; check its permissions.' };
  }
  if (sys === 'EISDIR') return { code: 'NOT_A_FILE', reason: 'This is a folder whose name looks like an image.' };
  if (sys === 'ENOENT') return { code: 'UNREADABLE', reason: 'The file disappeared while the folder was being read.' };
  if (sys === 'EIO') return { code: 'UNREADABLE', reason: 'The disk reported an input/output error while reading.' };
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) {
    return { code: 'TOO_LARGE', reason: 'The image has more pixels than the limit allows.' };
  }
  // libvips keeps one error buffer per process: when decodes run on several threads, another
  // thread can clear it before this one reads it, leaving only sharp's 'Input buffer has corrupt
  // header:' without libjpeg's 'premature end'. A header that cannot be read is damaged either way.
  if (/premature end|truncat|unexpected end|read error|end of (file|data)|not enough data|corrupt header/i.test(msg)) {
    return {
      code: 'CORRUPT',
      reason: `The file is truncated or damaged (the decoder said: ${firstLine(msg)}); copy it again or remove it.`,
    };
  }
  return {
    code: 'CORRUPT',
    reason: `The image could not be decoded (the decoder said: ${firstLine(msg)}); re-save it or remove it.`,
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim().slice(0, 200);
}

/** A sentence for a too-large image. */
export function tooLargeReason(width: number, height: number, maxPixels: number): string {
  const mp = (n: number) => `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} MP`;
  return (
    `The image is ${width} × ${height} pixels (${mp(width * height)}), over the ${mp(maxPixels)} limit ` +
    `that protects against decompression bombs; shrink it or raise the limit.`
  );
}
