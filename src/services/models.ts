// SPDX-License-Identifier: MIT
import type { ModelDetail, ModelSummary } from '../shared/dto/models';
import { cacheStatus } from '../engine/weights/index';
import { allKerasFacts } from '../engine/zoo/keras-facts';
import { getModelSpec, listModels } from '../engine/zoo/registry';
import type { ModelSpec } from '../engine/zoo/types';
import { countParams } from '../engine/zoo/keras-reference';
import { modelBlocks } from '../engine/zoo/blocks';
import { summarizeModel } from '../engine/zoo/summary';

/** Whether Keras's weight files are in the cache; the weights engine owns the folder and the names. */
async function cacheFlags(spec: ModelSpec): Promise<ModelSummary['cached']> {
  if (spec.kind !== 'keras' || !allKerasFacts()[spec.name]) return { top: false, notop: false };
  const s = await cacheStatus(spec.name);
  return { top: s.variants.top.present, notop: s.variants.notop.present };
}

export function weightSourcesOf(spec: ModelSpec): string[] {
  const sources = spec.kind === 'keras' ? ['imagenet'] : [];
  if (spec.id === 'mobilenetv2') sources.unshift('nsfwjs');
  return [...sources, 'none'];
}

export async function summarizeSpec(spec: ModelSpec): Promise<ModelSummary> {
  return {
    id: spec.id,
    name: spec.name,
    family: spec.family,
    kind: spec.kind,
    paper: spec.paper,
    story: spec.story,
    inputSize: spec.defaultInputSize,
    preprocess: spec.preprocess,
    params: spec.params.top,
    paramsNotop: spec.params.notop,
    depth: spec.reference.depth,
    sizeMb: spec.reference.sizeMb,
    top1: spec.reference.top1,
    top5: spec.reference.top5,
    cpuMsPerStep: spec.reference.cpuMsPerStep,
    cached: await cacheFlags(spec),
    weightSources: weightSourcesOf(spec),
  };
}

export async function listModelSummaries(kind?: 'keras' | 'classic'): Promise<ModelSummary[]> {
  return Promise.all(listModels(kind ? (s) => s.kind === kind : undefined).map(summarizeSpec));
}

/** Builds the architecture (no weights) to describe its blocks and layers, then frees it. */
export async function describeModel(id: string): Promise<ModelDetail> {
  const spec = getModelSpec(id);
  const summary = await summarizeSpec(spec);
  const model = spec.build({ includeTop: true });
  try {
    const rows = summarizeModel(model);
    const c = countParams(model);
    return {
      ...summary,
      blocks: modelBlocks(model, spec),
      layers: rows.map(({ name, className, outputShape, params, connectedTo }) => ({ name, className, outputShape, params, connectedTo })),
      totals: { total: c.total, trainable: c.trainable, nonTrainable: c.nonTrainable },
    };
  } finally {
    model.dispose();
  }
}
