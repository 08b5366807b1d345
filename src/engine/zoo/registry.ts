// SPDX-License-Identifier: MIT
// The model registry (timm's _registry.py, in small): architectures by id, and for each the
// `arch.tag` entries naming the weights it can start from. Every name a user types goes through
// here, so no other file needs to know a model by name.
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { FAMILY_SPECS } from './families/index';
import { allKerasFacts } from './keras-facts';
import type { BuildOptions, ModelSpec, PreprocessMode, PretrainedCfg, WeightsChoice, WeightsTag } from './types';

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

/** The weights value of each tag (runs and the contract say 'none' for scratch). */
const WEIGHTS_OF_TAG: Readonly<Record<WeightsTag, WeightsChoice>> = { nsfwjs: 'nsfwjs', imagenet: 'imagenet', scratch: 'none' };

/** True when `weights` names a registry tag ('none' and 'scratch' alike); anything else is a file path. */
export function isWeightsTag(weights: string): boolean {
  return weights === 'scratch' || (Object.values(WEIGHTS_OF_TAG) as string[]).includes(weights);
}

/** Splits 'resnet50.imagenet' into arch and tag (timm's split_model_name_tag); the tag may be absent. */
export function splitModelId(id: string): { arch: string; tag?: string } {
  const dot = id.indexOf('.');
  return dot < 0 ? { arch: id } : { arch: id.slice(0, dot), tag: id.slice(dot + 1) };
}

/** Architecture ids are matched case-insensitively and accept Keras names ('ResNet50'). */
export function normalizeModelId(nameOrId: string): string {
  return splitModelId(nameOrId).arch.toLowerCase().replace(/[-_ ]/g, '');
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

const mb = (bytes: number): string => `${Math.max(1, Math.round(bytes / 1e6))} MB`;

/**
 * The `arch.tag` entries of an architecture, the default first: its bundled weights, then Keras's
 * ImageNet file (Keras Applications models only), then scratch (every model).
 */
export function pretrainedCfgs(spec: ModelSpec): PretrainedCfg[] {
  const base = { arch: spec.id, inputSize: spec.defaultInputSize };
  const out: PretrainedCfg[] = [];
  if (spec.bundled) {
    const b = spec.bundled;
    out.push({ ...base, id: `${spec.id}.${b.tag}`, tag: b.tag, weights: WEIGHTS_OF_TAG[b.tag], source: { kind: 'bundled', package: b.package, dir: b.dir, approxBytes: b.approxBytes, homepage: b.homepage }, preprocess: b.preprocess, label: b.label });
  }
  const facts = spec.kind === 'keras' ? allKerasFacts()[spec.name] : undefined;
  if (facts) {
    const f = facts.weights.notop;
    const approxBytes = facts.total_params_notop * 4;
    out.push({
      ...base,
      id: `${spec.id}.imagenet`,
      tag: 'imagenet',
      weights: 'imagenet',
      source: { kind: 'download', fileName: f.file_name, url: f.url, hash: f.file_hash, hashAlgorithm: f.hash_algorithm, approxBytes },
      preprocess: spec.preprocess,
      label: `ImageNet (Keras, ≈${mb(approxBytes)} download)`,
    });
  }
  out.push({ ...base, id: `${spec.id}.scratch`, tag: 'scratch', weights: 'none', source: { kind: 'none' }, preprocess: spec.preprocess, label: 'none (train from scratch)' });
  return out;
}

export interface ResolvedModelId {
  spec: ModelSpec;
  cfg: PretrainedCfg;
}

/**
 * Resolves what a user typed to one registry entry: 'mobilenetv2' (the default tag),
 * 'mobilenetv2.imagenet', 'ResNet50'. `weights` ('nsfwjs' | 'imagenet' | 'none'), when given,
 * picks the tag and wins over the id's own tag only if they agree.
 * @throws AppError MODEL_UNKNOWN (unknown architecture), INVALID_ARGUMENT (a tag or weights the architecture has not)
 */
export function resolveModelId(nameOrId: string, weights?: string): ResolvedModelId {
  const spec = getModelSpec(nameOrId);
  const cfgs = pretrainedCfgs(spec);
  const { tag } = splitModelId(nameOrId);
  const wanted = weights !== undefined ? cfgs.find((c) => c.weights === weights || c.tag === weights) : undefined;
  const byTag = tag !== undefined ? cfgs.find((c) => c.tag === tag.toLowerCase()) : undefined;
  const offered = cfgs.map((c) => c.weights).join(', ');
  if (tag !== undefined && !byTag) {
    throw new AppError('INVALID_ARGUMENT', `Invalid weights tag (${tag}) for ${spec.id}. Its ids: ${cfgs.map((c) => c.id).join(', ')}.`, { received: nameOrId, tags: cfgs.map((c) => c.tag) });
  }
  if (weights !== undefined && !wanted) {
    throw new AppError('INVALID_ARGUMENT', `${spec.name} has no ${weights} weights. Choose one of: ${offered}, or a weights file of your own.`, { received: weights, backbone: spec.id, weights: cfgs.map((c) => c.weights) });
  }
  if (byTag && wanted && byTag !== wanted) {
    throw new AppError('INVALID_ARGUMENT', `${nameOrId} names ${byTag.weights} weights but weights ${weights} was passed. Pass one of them.`, { received: { id: nameOrId, weights } });
  }
  return { spec, cfg: wanted ?? byTag ?? cfgs[0] };
}

/** The id a new project starts with: the first architecture whose default weights ship with the app. */
export function defaultModelId(): string {
  const spec = listModels((s) => s.bundled !== undefined)[0] ?? listModels()[0];
  return pretrainedCfgs(spec)[0].id;
}

/**
 * The only way to build an architecture: a fresh, randomly initialised model (no weights, no
 * I/O). Any `arch.tag` id or Keras name is accepted; the tag does not change the architecture.
 * Weights are loaded onto it by engine/weights (see engine/train/backbone-loader.ts).
 * @throws AppError MODEL_UNKNOWN; Error for input shapes the family rejects
 */
export function createModel(nameOrId: string | ModelSpec, opts: BuildOptions = {}): tf.LayersModel {
  return (typeof nameOrId === 'string' ? getModelSpec(nameOrId) : nameOrId).build(opts);
}

/**
 * The architecture and entry of weights shipped inside a package ('nsfwjs'), so the code that reads
 * the package never names the architecture itself.
 * @throws Error when no family declares the tag (a programming error)
 */
export function bundledModel(tag: string): ResolvedModelId {
  const spec = listModels((s) => s.bundled?.tag === tag)[0];
  if (!spec) throw new Error(`No zoo architecture bundles the ${tag} weights`);
  return { spec, cfg: pretrainedCfgs(spec).find((c) => c.tag === tag)! };
}

/**
 * The preprocessing a backbone's inputs get with `weights`: the tag's own ('nsfwjs' was trained on
 * [0, 1]); a user's own file is taken to be Keras-trained, so it gets the family's Keras mode.
 */
export function preprocessFor(backbone: string, weights: string | null | undefined): PreprocessMode {
  const spec = getModelSpec(backbone);
  const cfg = pretrainedCfgs(spec).find((c) => c.weights === weights || c.tag === weights);
  return cfg?.preprocess ?? spec.preprocess;
}
