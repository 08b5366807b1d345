// SPDX-License-Identifier: MIT
import { describe, it, expect } from 'vitest';
import sharp, { type SharpOptions } from 'sharp';
import { decodeImage, decodeToRgb } from './decode';
import { AppError } from '../../shared/errors';
import { encodeRgb, markedRgb, pngDeclaring, type FixtureFormat } from '../../../test/fixtures/images';

const at = (img: { data: ArrayLike<number>; width: number }, x: number, y: number) => {
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
};

/** Left half `a`, right half `b`. */
function halves(w: number, h: number, a: number[], b: number[]): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(x < w / 2 ? a : b, (y * w + x) * 3);
  return rgb;
}

describe('decodeToRgb', () => {
  it.each<[FixtureFormat, number]>([
    ['png', 0],
    ['tiff', 0],
    ['bmp', 0],
    ['webp', 0],
    ['jpeg', 12],
    ['gif', 12],
  ])('decodes %s to the pixels written (tolerance %d)', async (format, tol) => {
    const rgb = markedRgb(16, 12, [200, 60, 30], 5);
    const out = await decodeToRgb(await encodeRgb(rgb, 16, 12, format));
    expect([out.width, out.height]).toEqual([16, 12]);
    // Far from the mark the colour is the class colour; on the mark it is the inverse.
    for (const [x, y] of [[12, 10], [15, 0]]) {
      at(out, x, y).forEach((v, c) => expect(Math.abs(v - [200, 60, 30][c])).toBeLessThanOrEqual(tol));
    }
    if (tol === 0) expect(Array.from(out.data)).toEqual(Array.from(rgb));
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise) unless told not to', async () => {
    const red = [255, 0, 0];
    const blue = [0, 0, 255];
    const jpg = await sharp(halves(16, 8, red, blue), { raw: { width: 16, height: 8, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpg).metadata()).orientation).toBe(6);
    const upright = await decodeToRgb(jpg);
    expect([upright.width, upright.height]).toEqual([8, 16]);
    // The left (red) edge turns into the top edge.
    expect(at(upright, 4, 2)[0]).toBeGreaterThan(240);
    expect(at(upright, 4, 2)[2]).toBeLessThan(15);
    expect(at(upright, 4, 13)[2]).toBeGreaterThan(240);
    const raw = await decodeToRgb(jpg, { applyExifOrientation: false });
    expect([raw.width, raw.height]).toEqual([16, 8]);
    expect(at(raw, 2, 4)[0]).toBeGreaterThan(240);
  });

  it('expands a one-channel grey PNG to equal RGB', async () => {
    const grey = await sharp(new Uint8Array([0, 77, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const out = await decodeToRgb(grey);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 77, 77, 77, 128, 128, 128, 255, 255, 255]);
  });

  it('flattens RGBA on white by default, on black, or drops alpha', async () => {
    const rgba = new Uint8Array([200, 100, 50, 0, 200, 100, 50, 128, 200, 100, 50, 255]);
    const png = await sharp(rgba, { raw: { width: 3, height: 1, channels: 4 } }).png().toBuffer();
    const white = await decodeToRgb(png);
    const black = await decodeToRgb(png, { alpha: 'black' });
    const drop = await decodeToRgb(png, { alpha: 'drop' });
    const mix = (c: number, bg: number) => Math.round((c * 128 + bg * 127) / 255);
    expect(Array.from(white.data)).toEqual([255, 255, 255, mix(200, 255), mix(100, 255), mix(50, 255), 200, 100, 50]);
    expect(Array.from(black.data)).toEqual([0, 0, 0, mix(200, 0), mix(100, 0), mix(50, 0), 200, 100, 50]);
    expect(Array.from(drop.data)).toEqual([200, 100, 50, 200, 100, 50, 200, 100, 50]);
  });

  it('takes the first frame of an animated GIF', async () => {
    const frames = new Uint8Array(4 * 4 * 4 * 2);
    for (let i = 0; i < 16; i++) frames.set([255, 0, 0, 255], i * 4);
    for (let i = 16; i < 32; i++) frames.set([0, 0, 255, 255], i * 4);
    const gif = await sharp(frames, { raw: { width: 4, height: 8, channels: 4, pageHeight: 4 } } as SharpOptions)
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const out = await decodeToRgb(gif);
    expect([out.width, out.height]).toEqual([4, 4]);
    expect(at(out, 1, 1)).toEqual([255, 0, 0]);
  });

  it('reports corrupt, empty and oversized input with codes a caller can map', async () => {
    const png = await encodeRgb(markedRgb(32, 32, [1, 2, 3], 0), 32, 32, 'png');
    const errOf = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const cut = await errOf(decodeToRgb(png.subarray(0, 60)));
    expect(AppError.is(cut, 'FILE_CORRUPT')).toBe(true);
    const empty = await errOf(decodeToRgb(new Uint8Array(0)));
    expect((empty as AppError).details?.skipCode).toBe('EMPTY');
    const bomb = await errOf(decodeToRgb(pngDeclaring(20_000, 20_000)));
    expect(AppError.is(bomb, 'INVALID_INPUT')).toBe(true);
    const small = await errOf(decodeToRgb(png, { maxPixels: 100 }));
    expect(AppError.is(small, 'INVALID_INPUT')).toBe(true);
    await expect(decodeImage(png, { width: 0, height: 4 })).rejects.toThrow(/width .*Received: 0/);
  });
});

describe('decodeImage', () => {
  it('resizes bilinearly to the model input, float32 HWC in 0..255', async () => {
    // 4×1 ramp 0,100,200,255 → 2×1: half-pixel centres sample at x=0.5 and 2.5.
    const png = await sharp(new Uint8Array([0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]), {
      raw: { width: 4, height: 1, channels: 3 },
    })
      .png()
      .toBuffer();
    const out = await decodeImage(png, { width: 2, height: 1 });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.data)).toEqual([50, 50, 50, 227.5, 227.5, 227.5]);
    const u8 = await decodeImage(png, { width: 2, height: 1, output: 'uint8' });
    expect(Array.from(u8.data)).toEqual([50, 50, 50, 228, 228, 228]);
  });

  it('crops the centre to the target aspect ratio when asked', async () => {
    // 8×4: columns 0-3 black, 4-7 white. Square crop keeps columns 2..5.
    const png = await encodeRgb(halves(8, 4, [0, 0, 0], [255, 255, 255]), 8, 4, 'png');
    const cropped = await decodeImage(png, { width: 4, height: 4, cropToAspectRatio: true, interpolation: 'nearest' });
    expect([0, 1, 2, 3].map((x) => at(cropped, x, 0)[0])).toEqual([0, 0, 255, 255]);
    const squashed = await decodeImage(png, { width: 4, height: 4, interpolation: 'nearest' });
    expect([0, 1, 2, 3].map((x) => at(squashed, x, 0)[0])).toEqual([0, 0, 255, 255]);
    const wide = await decodeImage(png, { width: 2, height: 4, cropToAspectRatio: true, interpolation: 'nearest' });
    // 1:2 crop of an 8×4 image is 2 columns wide, centred on 3..4: one black, one white.
    expect([at(wide, 0, 0)[0], at(wide, 1, 0)[0]]).toEqual([0, 255]);
  });

  it('resizes with lanczos3 through sharp, keeping flat colours', async () => {
    const png = await encodeRgb(halves(40, 40, [10, 20, 30], [10, 20, 30]), 40, 40, 'png');
    const out = await decodeImage(png, { width: 7, height: 5, interpolation: 'lanczos3', output: 'uint8' });
    expect([out.width, out.height, out.data.length]).toEqual([7, 5, 105]);
    expect(at(out, 3, 2)).toEqual([10, 20, 30]);
  });

  it('applies EXIF orientation before the centre crop on the lanczos3 path', async () => {
    // 40×20, left half black; orientation 6 turns it into 20×40 with black on top.
    const jpg = await sharp(halves(40, 20, [0, 0, 0], [255, 255, 255]), { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const opts = { width: 4, height: 4, cropToAspectRatio: true, output: 'uint8' as const };
    const lz = await decodeImage(jpg, { ...opts, interpolation: 'lanczos3' });
    const bl = await decodeImage(jpg, { ...opts, interpolation: 'bilinear' });
    for (const img of [lz, bl]) {
      expect(at(img, 1, 0)[0]).toBeLessThan(20);
      expect(at(img, 1, 3)[0]).toBeGreaterThan(235);
    }
  });

  it('names what a non-image file is', async () => {
    const err = await decodeImage(Buffer.from('just some notes'), { width: 2, height: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FILE_CORRUPT', details: { skipCode: 'NOT_IMAGE' } });
    expect((err as Error).message).toMatch(/not an image: it contains text/);
  });
});
