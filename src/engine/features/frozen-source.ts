// SPDX-License-Identifier: MIT
// A BatchSource that runs the frozen part of a model on ONNX Runtime over pixel batches as they
// come (augmented ones: the feature cache cannot hold them, they change every epoch). ONNX
// Runtime runs off the JavaScript thread, so the next batch's frozen part overlaps the TF.js
// step on the current one; the decode workers are already ahead of both.
import type * as ort from 'onnxruntime-node';
import { runSession } from '../onnx/runtime';
import { preprocessPixels } from '../zoo/preprocess';
import type { PreprocessMode } from '../zoo/types';
import type { Batch, BatchSource } from '../data/batch-source';

export interface FrozenSourceOptions {
  session: ort.InferenceSession;
  /** [height, width] of the pixel batches. */
  inputSize: [number, number];
  preprocess: PreprocessMode;
  /** The frozen part's output per image, [h, w, c]. */
  featureShape: number[];
  /** Adds the seconds spent inside ONNX Runtime (for the run's engine notes). */
  onSessionTime?: (seconds: number) => void;
}

/** Features of `pixels` batch by batch; same order, labels and paths as the pixel source. */
export function frozenFeatureSource(pixels: BatchSource, o: FrozenSourceOptions): BatchSource {
  const [h, w] = o.inputSize;
  const shape = o.featureShape as [number, number, number];
  const toFeatures = async (b: Batch): Promise<Batch> => {
    const n = b.y.length;
    const x = preprocessPixels(b.x.subarray(0, n * h * w * 3), o.preprocess);
    const t0 = performance.now();
    const r = await runSession(o.session, x, [n, h, w, 3]);
    o.onSessionTime?.((performance.now() - t0) / 1000);
    return { x: r.data, y: b.y, shape: [n, ...shape], ...(b.paths ? { paths: b.paths } : {}) };
  };
  async function* epoch(index: number): AsyncGenerator<Batch> {
    const it = pixels.epoch(index)[Symbol.asyncIterator]();
    const pull = async (): Promise<Batch | null> => {
      const r = await it.next();
      return r.done ? null : toFeatures(r.value);
    };
    let next = pull();
    try {
      for (;;) {
        const b = await next;
        if (!b) return;
        // Start the next batch before handing this one over: its frozen part runs during the step.
        next = pull();
        next.catch(() => undefined);
        yield b;
      }
    } finally {
      await it.return?.();
    }
  }
  return { size: pixels.size, ...(pixels.classCounts ? { classCounts: pixels.classCounts } : {}), epoch };
}
