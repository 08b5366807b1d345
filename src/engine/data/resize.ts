// SPDX-License-Identifier: MIT
// Resizing that matches TensorFlow's tf.image.resize (v2: half-pixel centres, no antialiasing),
// which is what Keras's image_dataset_from_directory uses, so a model fine-tuned here sees the
// same pixels as one trained in Keras. sharp's kernels antialias when shrinking, which differs.

/** A source window inside an HWC image. */
export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The centred crop with the target's aspect ratio, by Keras's integer arithmetic
 * (keras.src.utils.image_utils.smart_resize / crop_to_aspect_ratio).
 */
export function centerCropBox(width: number, height: number, targetWidth: number, targetHeight: number): CropBox {
  const cropHeight = Math.min(height, Math.trunc((width * targetHeight) / targetWidth));
  const cropWidth = Math.min(width, Math.trunc((height * targetWidth) / targetHeight));
  return {
    x: Math.trunc((width - cropWidth) / 2),
    y: Math.trunc((height - cropHeight) / 2),
    width: cropWidth,
    height: cropHeight,
  };
}

export type ResizeMethod = 'bilinear' | 'nearest';

/**
 * Resizes `src` (HWC, `channels` per pixel) to `outW`×`outH`, reading only `box`.
 * Bilinear follows TF's half-pixel scaler: in = (out + 0.5) * scale − 0.5, edges clamped.
 * Returns unrounded float values, as TF does.
 */
export function resizeHwc(
  src: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  outW: number,
  outH: number,
  method: ResizeMethod = 'bilinear',
  box: CropBox = { x: 0, y: 0, width, height },
): Float32Array {
  const out = new Float32Array(outW * outH * channels);
  const sx = box.width / outW;
  const sy = box.height / outH;
  if (method === 'nearest') {
    for (let oy = 0; oy < outH; oy++) {
      const iy = box.y + Math.min(Math.floor((oy + 0.5) * sy), box.height - 1);
      for (let ox = 0; ox < outW; ox++) {
        const ix = box.x + Math.min(Math.floor((ox + 0.5) * sx), box.width - 1);
        const s = (iy * width + ix) * channels;
        const d = (oy * outW + ox) * channels;
        for (let c = 0; c < channels; c++) out[d + c] = src[s + c];
      }
    }
    return out;
  }
  if (box.x === 0 && box.y === 0 && box.width === width && box.height === height && outW === width && outH === height) {
    // Same size: every weight is 0, so bilinear returns the source values; a copy gives the same
    // floats without the arithmetic (files already at the model's size, e.g. 224 px JPEGs).
    out.set(src);
    return out;
  }
  const xs = axisWeights(outW, sx, box.width);
  for (let oy = 0; oy < outH; oy++) {
    const fy = (oy + 0.5) * sy - 0.5;
    const y0f = Math.floor(fy);
    const y0 = box.y + Math.max(y0f, 0);
    const y1 = box.y + Math.min(Math.ceil(fy), box.height - 1);
    const ly = fy - y0f;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = box.x + xs.lo[ox];
      const x1 = box.x + xs.hi[ox];
      const lx = xs.lerp[ox];
      const a = (y0 * width + x0) * channels;
      const b = (y0 * width + x1) * channels;
      const c0 = (y1 * width + x0) * channels;
      const d0 = (y1 * width + x1) * channels;
      const o = (oy * outW + ox) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[a + c] + (src[b + c] - src[a + c]) * lx;
        const bottom = src[c0 + c] + (src[d0 + c] - src[c0 + c]) * lx;
        out[o + c] = top + (bottom - top) * ly;
      }
    }
  }
  return out;
}

function axisWeights(outSize: number, scale: number, inSize: number) {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const lerp = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const f = (i + 0.5) * scale - 0.5;
    const fl = Math.floor(f);
    lo[i] = Math.max(fl, 0);
    hi[i] = Math.min(Math.ceil(f), inSize - 1);
    lerp[i] = f - fl;
  }
  return { lo, hi, lerp };
}
