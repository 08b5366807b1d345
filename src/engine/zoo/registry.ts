// SPDX-License-Identifier: MIT
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { FAMILY_SPECS } from './families/index';
import type { BuildOptions, ModelSpec } from './types';

const SPECS: ReadonlyMap<string, ModelSpec> = (() => {
  const map = new Map<string, ModelSpec>();
  for (const family of FAMILY_SPECS) {
    for (const spec of family) {
      if (map.has(spec.id)) throw new Error(`Duplicate model id in the zoo: ${spec.id}`);
      map.set(spec.id, spec);
    }
  }
  return map;
})();

/** Ids are matched case-insensitively and accept Keras names ('ResNet50') and an `.tag` suffix. */
export function normalizeModelId(nameOrId: string): string {
  return nameOrId.split('.')[0].toLowerCase().replace(/[-_ ]/g, '');
}

export function listModels(filter?: (spec: ModelSpec) => boolean): ModelSpec[] {
  const all = [...SPECS.values()];
  return filter ? all.filter(filter) : all;
}

/** @throws AppError MODEL_UNKNOWN with the list of known ids. */
export function getModelSpec(nameOrId: string): ModelSpec {
  const id = normalizeModelId(nameOrId);
  const spec = SPECS.get(id) ?? [...SPECS.values()].find((s) => normalizeModelId(s.name) === id);
  if (!spec) {
    throw new AppError(
      'MODEL_UNKNOWN',
      `Unknown model: ${JSON.stringify(nameOrId)}. Run \`transfer-studio models\` to list them. Known: ${[...SPECS.keys()].join(', ')}`,
      { received: nameOrId },
    );
  }
  return spec;
}

/** The only front door for building an architecture (no weights). */
export function buildModel(nameOrId: string, opts: BuildOptions = {}): tf.LayersModel {
  return getModelSpec(nameOrId).build(opts);
}
