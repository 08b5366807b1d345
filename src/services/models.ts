// SPDX-License-Identifier: MIT
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModelDetail, ModelSummary } from '../shared/dto/models';
import { kerasCacheDir } from '../engine/platform/paths';
import { allKerasFacts } from '../engine/zoo/keras-facts';
import { getModelSpec, listModels } from '../engine/zoo/registry';
import type { ModelSpec } from '../engine/zoo/types';
import { countParams } from '../engine/zoo/keras-reference';
import { modelBlocks } from '../engine/zoo/blocks';
import { summarizeModel } from '../engine/zoo/summary';

function cacheFlags(spec: ModelSpec): ModelSummary['cached'] {
  const facts = spec.kind === 'keras' ? allKerasFacts()[spec.name] : undefined;
  if (!facts) return { top: false, notop: false };
  const dir = kerasCacheDir();
  return {
    top: existsSync(path.join(dir, facts.weights.include_top.file_name)),
    notop: existsSync(path.join(dir, facts.weights.notop.file_name)),
  };
}

export function weightSourcesOf(spec: ModelSpec): string[] {
  const sources = spec.kind === 'keras' ? ['imagenet'] : [];
  if (spec.id === 'mobilenetv2') sources.unshift('nsfwjs');
  return [...sources, 'none'];
}

export function summarizeSpec(spec: ModelSpec): ModelSummary {
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
    cached: cacheFlags(spec),
    weightSources: weightSourcesOf(spec),
  };
}

export function listModelSummaries(kind?: 'keras' | 'classic'): ModelSummary[] {
  return listModels(kind ? (s) => s.kind === kind : undefined).map(summarizeSpec);
}

/** Builds the architecture (no weights) to describe its blocks and layers, then frees it. */
export function describeModel(id: string): ModelDetail {
  const spec = getModelSpec(id);
  const model = spec.build({ includeTop: true });
  try {
    const rows = summarizeModel(model);
    const c = countParams(model);
    return {
      ...summarizeSpec(spec),
      blocks: modelBlocks(model, spec),
      layers: rows.map(({ name, className, outputShape, params, connectedTo }) => ({ name, className, outputShape, params, connectedTo })),
      totals: { total: c.total, trainable: c.trainable, nonTrainable: c.nonTrainable },
    };
  } finally {
    model.dispose();
  }
}
