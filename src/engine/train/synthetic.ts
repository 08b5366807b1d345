// SPDX-License-Identifier: MIT
// A tiny, fully in-memory dataset and backbone for tests, the worker smoke run and `doctor`:
// three classes of shapes (disc, square, triangle) in random colours, positions and sizes, and a
// three-block conv net with Keras-style layer names and seeded initialisers.
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng';
import type { Backbone, Batch, BatchSource } from './types';

export const SHAPE_CLASSES = ['disc', 'square', 'triangle'] as const;

function inside(shape: number, px: number, py: number, cx: number, cy: number, r: number): boolean {
  const dx = px - cx;
  const dy = py - cy;
  if (shape === 0) return dx * dx + dy * dy <= r * r;
  if (shape === 1) return Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
  // Upward triangle: apex at (cx, cy - r), base at y = cy + r.
  if (dy < -r || dy > r) return false;
  const halfWidth = ((dy + r) / (2 * r)) * r;
  return Math.abs(dx) <= halfWidth;
}

export interface ShapesOptions {
  n: number;
  size?: number;
  seed?: number;
  batch?: number;
  /** Pixel scale: 'tf' gives [-1, 1] (MobileNetV2's preprocess), 'unit' [0, 1], 'raw' 0..255 (the data pipeline's). */
  scale?: 'tf' | 'unit' | 'raw';
}

/** Images (NHWC float32) and labels, classes balanced round-robin. */
export function makeShapes(o: ShapesOptions): { x: Float32Array; y: Int32Array; size: number } {
  const size = o.size ?? 32;
  const rng = new Rng(o.seed ?? 1);
  const x = new Float32Array(o.n * size * size * 3);
  const y = new Int32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const cls = i % 3;
    y[i] = cls;
    const r = size * (0.2 + 0.15 * rng.next());
    const cx = r + rng.next() * (size - 2 * r);
    const cy = r + rng.next() * (size - 2 * r);
    const fg = [0.5 + 0.5 * rng.next(), 0.5 + 0.5 * rng.next(), 0.5 + 0.5 * rng.next()];
    const bg = [0.3 * rng.next(), 0.3 * rng.next(), 0.3 * rng.next()];
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const on = inside(cls, px + 0.5, py + 0.5, cx, cy, r);
        const at = ((i * size + py) * size + px) * 3;
        for (let c = 0; c < 3; c++) {
          const v = (on ? fg[c] : bg[c]) + 0.05 * (rng.next() - 0.5);
          x[at + c] = o.scale === 'unit' ? v : o.scale === 'raw' ? Math.min(255, Math.max(0, v * 255)) : v * 2 - 1;
        }
      }
    }
  }
  return { x, y, size };
}

/** A BatchSource over in-memory arrays, reshuffled per epoch from `seed + epoch`. */
export function arraySource(x: Float32Array, y: Int32Array, o: { size: number; batch: number; seed?: number; shuffle?: boolean; numClasses?: number }): BatchSource {
  const n = y.length;
  const pixels = o.size * o.size * 3;
  const counts = new Array<number>(o.numClasses ?? Math.max(...y) + 1).fill(0);
  for (const v of y) counts[v]++;
  return {
    size: n,
    classCounts: counts,
    epoch(index: number): AsyncIterable<Batch> {
      const order = Array.from({ length: n }, (_, i) => i);
      if (o.shuffle !== false) {
        const rng = new Rng((o.seed ?? 0) * 7919 + index);
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      return (async function* () {
        for (let s = 0; s < n; s += o.batch) {
          const idx = order.slice(s, s + o.batch);
          const bx = new Float32Array(idx.length * pixels);
          const by = new Int32Array(idx.length);
          idx.forEach((k, j) => {
            bx.set(x.subarray(k * pixels, (k + 1) * pixels), j * pixels);
            by[j] = y[k];
          });
          yield { x: bx, y: by, ids: idx.map((k) => `shape-${k}`) };
        }
      })();
    },
  };
}

/** Train/val/test sources of the shapes dataset. */
export function shapesData(o: { train: number; val: number; test?: number; size?: number; batch?: number; seed?: number; scale?: ShapesOptions['scale'] }) {
  const size = o.size ?? 32;
  const batch = o.batch ?? 16;
  const seed = o.seed ?? 1;
  const mk = (n: number, s: number, shuffle: boolean) => {
    const d = makeShapes({ n, size, seed: s, scale: o.scale });
    return arraySource(d.x, d.y, { size, batch, seed: s, shuffle, numClasses: 3 });
  };
  return {
    train: mk(o.train, seed, true),
    val: mk(o.val, seed + 1000, false),
    ...(o.test ? { test: mk(o.test, seed + 2000, false) } : {}),
    classNames: [...SHAPE_CLASSES],
  };
}

/**
 * Three conv blocks (conv-BN-ReLU, max-pool between), named `stem_*`, `block1_*`, `block2_*`
 * so blockOf is the name's prefix. Seeded, so two builds with one seed are identical.
 */
export function tinyBackbone(o: { size?: number; seed?: number; filters?: [number, number, number]; pretrained?: boolean } = {}): Backbone {
  const size = o.size ?? 32;
  const seed = o.seed ?? 7;
  const [f0, f1, f2] = o.filters ?? [8, 16, 32];
  const input = tf.input({ shape: [size, size, 3], name: 'input' });
  let x: tf.SymbolicTensor = input;
  const block = (name: string, filters: number, k: number, pool: boolean) => {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }), name: `${name}_conv` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
    if (pool) x = tf.layers.maxPooling2d({ poolSize: 2, name: `${name}_pool` }).apply(x) as tf.SymbolicTensor;
  };
  block('stem', f0, 1, true);
  block('block1', f1, 2, true);
  block('block2', f2, 3, false);
  const model = tf.model({ inputs: input, outputs: x, name: 'tiny' });
  return { model, blockOf: (n) => (n === 'input' ? null : n.split('_')[0]), pretrained: o.pretrained ?? false };
}

/** Worker-friendly loader export: (config, args) -> tiny backbone (see worker-protocol ModuleRef). */
export function tinyBackboneLoader(_config: unknown, args: Parameters<typeof tinyBackbone>[0]): Backbone {
  return tinyBackbone(args);
}
