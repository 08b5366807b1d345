// SPDX-License-Identifier: MIT
import type { ModelDetail, ModelSummary } from '../shared/dto/models';
import { weightsStatus } from '../engine/weights/availability';
import { cacheStatus } from '../engine/weights/index';
import { allKerasFacts } from '../engine/zoo/keras-facts';
import { createModel, defaultModelId, getModelSpec, listModels, pretrainedCfgs, resolveModelId } from '../engine/zoo/registry';
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

/** The registry's default `arch.tag` entry, for the renderer's first choice. */
export function defaultModelInfo(): { id: string; arch: string; weights: string } {
  const { cfg } = resolveModelId(defaultModelId());
  return { id: cfg.id, arch: cfg.arch, weights: cfg.weights };
}

export function weightSourcesOf(spec: ModelSpec): string[] {
  return pretrainedCfgs(spec).map((c) => c.weights);
}

/** Each weights entry with its size and whether it can be used now (one availability check: engine/weights/availability). */
export function weightsOptionsOf(spec: ModelSpec): ModelSummary['weights'] {
  return pretrainedCfgs(spec).map((cfg) => {
    const s = weightsStatus({ spec, cfg });
    return {
      id: cfg.id,
      tag: cfg.tag,
      weights: cfg.weights,
      label: cfg.label,
      source: cfg.source.kind,
      ...(cfg.source.kind !== 'none' ? { bytes: cfg.source.approxBytes } : {}),
      preprocess: cfg.preprocess,
      available: s.available,
      ...(s.reason ? { reason: s.reason } : {}),
    };
  });
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
    weights: weightsOptionsOf(spec),
  };
}

export async function listModelSummaries(kind?: 'keras' | 'classic'): Promise<ModelSummary[]> {
  return Promise.all(listModels(kind ? (s) => s.kind === kind : undefined).map(summarizeSpec));
}

/** Builds the architecture (no weights) to describe its blocks and layers, then frees it. */
export async function describeModel(id: string): Promise<ModelDetail> {
  const spec = getModelSpec(id);
  const summary = await summarizeSpec(spec);
  const model = createModel(spec, { includeTop: true });
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
