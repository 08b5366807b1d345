// SPDX-License-Identifier: MIT
// Replaces the wasm backend's Tile, a per-element index computation that took a third of a
// MobileNetV2 training step: tfjs's FusedBatchNorm gradient tiles each per-channel vector to the
// full activation shape. Tiling is pure copying, so it is done here with block copies on the wasm
// heap, one axis at a time from the innermost: repeating axis a copies whole contiguous blocks.
import { Tile, util, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { AppError } from '../../../shared/errors';
import { WASM } from './compose';

type Numeric = Float32Array | Int32Array | Uint8Array;

/** Repeats each block of `block` elements `reps` times, for `outer` consecutive blocks. */
function repeatBlocks(from: Numeric, to: Numeric, outer: number, block: number, reps: number): void {
  if (block >= 16) {
    for (let o = 0; o < outer; o++) {
      const src = from.subarray(o * block, (o + 1) * block);
      const base = o * block * reps;
      for (let r = 0; r < reps; r++) to.set(src, base + r * block);
    }
    return;
  }
  let k = 0;
  for (let o = 0; o < outer; o++) {
    const start = o * block;
    for (let r = 0; r < reps; r++) for (let j = 0; j < block; j++) to[k++] = from[start + j];
  }
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { reps } = attrs as unknown as TileAttrs;
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      throw new AppError('UNSUPPORTED', `Tile on wasm supports numeric tensors only. Received dtype ${JSON.stringify(x.dtype)}. Use the cpu backend for string tensors.`, { dtype: x.dtype });
    }
    const wasm = backend as BackendWasm;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const out = wasm.makeOutput(outShape, x.dtype);
    if (util.sizeFromShape(outShape) === 0) return out;
    // Views are taken after makeOutput: allocating may grow (and so detach) the heap.
    const dst = wasm.typedArrayFromHeap(out) as Numeric;
    let cur = wasm.typedArrayFromHeap(x) as Numeric;
    const shape = [...x.shape];
    // Axes are repeated innermost first, so the outermost repeated axis is the last one done.
    const last = reps.findIndex((r) => r > 1);
    if (last < 0) {
      dst.set(cur);
      return out;
    }
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (reps[axis] === 1) continue;
      const outer = util.sizeFromShape(shape.slice(0, axis));
      const block = util.sizeFromShape(shape.slice(axis));
      // The outermost repeated axis writes straight into the output; inner ones into scratch.
      const next = axis === last ? dst : new (cur.constructor as new (n: number) => Numeric)(outer * block * reps[axis]);
      repeatBlocks(cur, next, outer, block, reps[axis]);
      shape[axis] *= reps[axis];
      cur = next;
    }
    return out;
  },
};
