// SPDX-License-Identifier: MIT
// Adapts the data module's batch pipeline (decode workers, per-epoch shuffle) to a BatchSource.
import { createBatchPipeline, type PipelineOptions } from '../data/pipeline';
import type { BatchSource } from './types';

/**
 * One pipeline per epoch, shuffled from (seed, epoch) so a resumed run sees the same order.
 * Pixels come out 0..255: pair it with a backbone whose `preprocess` is set (the zoo loader's is).
 */
export function pipelineSource(opts: Omit<PipelineOptions, 'epoch'>, numClasses?: number): BatchSource {
  const k = numClasses ?? opts.items.reduce((m, it) => Math.max(m, it.label + 1), 0);
  const classCounts = new Array<number>(k).fill(0);
  for (const it of opts.items) classCounts[it.label]++;
  return { size: opts.items.length, classCounts, epoch: (index) => createBatchPipeline({ ...opts, epoch: index }) };
}
