// SPDX-License-Identifier: MIT
// Keras 3 `config.json` for a functional model, as keras.saving.serialize_keras_object writes it
// (keras/src/saving/serialization_lib.py, keras/src/models/functional.py): every object is
// {module, class_name, config, registered_name}, layers add build_config, name and inbound_nodes,
// and a node is {args, kwargs} with input tensors as `__keras_tensor__` objects carrying
// keras_history [layer, node, tensor]. tfjs gives us the Keras 2 schema; this maps it over.
import type * as tf from '@tensorflow/tfjs';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Layers Keras defines outside keras.layers: [module, registered_name]. */
const NON_PUBLIC: Record<string, [string, string]> = {
  CustomScaleLayer: ['keras.src.applications.inception_resnet_v2', 'CustomScaleLayer'],
};

/** Class names a legacy .h5 loader must be given as custom_objects (the .keras file names their module). */
export const KERAS_NON_PUBLIC: ReadonlySet<string> = new Set(Object.keys(NON_PUBLIC));

/** Layers whose call takes a list of tensors (one positional argument that is a list). */
const LIST_INPUT = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'CustomScaleLayer']);

/**
 * Keras 3.15.1 writes build_config only for layers it did not mark built at construction
 * (Layer.get_build_config reads the shapes build recorded). Measured per class with Keras 3.15.1:
 * Activation, ReLU, Dropout, Reshape, the 2D poolings and global poolings carry none.
 */
const HAS_BUILD = new Set([
  'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense',
  'BatchNormalization', 'LayerNormalization', 'Normalization', 'Rescaling',
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Flatten', 'Permute', 'AdaptiveAveragePooling2D', 'CustomScaleLayer',
]);

/**
 * Call arguments Keras records in a node beside the inputs: `mask` for layers whose call takes one
 * (None without a mask), `training` where the call's default is not None (Dropout's False).
 */
const CALL_KWARGS: Record<string, Obj> = {
  BatchNormalization: { mask: null },
  Dropout: { training: false },
  SpatialDropout2D: { training: false },
  GaussianNoise: { training: false },
  GaussianDropout: { training: false },
};

/** Config keys Keras 3 writes that tfjs (Keras 2 schema) has not: added with Keras's defaults, after the key named. */
const KERAS3_DEFAULTS: Record<string, [after: string | null, defaults: Obj][]> = {
  Conv2D: [['dilation_rate', { groups: 1 }]],
  BatchNormalization: [[null, { synchronized: false, renorm: false, renorm_clipping: null, renorm_momentum: 0.99 }]],
  Dense: [[null, { quantization_config: null }]],
  ReLU: [[null, { negative_slope: 0.0, threshold: 0.0 }]],
};

/** Config keys tfjs writes that the Keras 3 class does not take. */
const KERAS2_ONLY: Record<string, string[]> = {
  Dense: ['activity_regularizer'],
};

/** tfjs serialises every Glorot/He/Lecun initialiser as VarianceScaling; Keras names them. */
const NAMED_VARIANCE_SCALING: [scale: number, mode: string, distribution: string, name: string][] = [
  [1, 'fan_avg', 'uniform', 'GlorotUniform'],
  [1, 'fan_avg', 'truncated_normal', 'GlorotNormal'],
  [1, 'fan_in', 'uniform', 'LecunUniform'],
  [1, 'fan_in', 'truncated_normal', 'LecunNormal'],
  [2, 'fan_in', 'uniform', 'HeUniform'],
  [2, 'fan_in', 'truncated_normal', 'HeNormal'],
];

/** Keras 3 spells some activations differently (both load; this is what it writes). */
const ACTIVATION_NAMES: Record<string, string> = { swish: 'silu' };

const INITIALIZER_KEYS = /_initializer$/;

function dtypePolicy(name = 'float32'): Obj {
  return { module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null };
}

function initializer(v: Json): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const cfg = { ...((v.config as Obj | undefined) ?? {}) };
  let className = v.class_name as string;
  if (className === 'VarianceScaling') {
    // tfjs's VarianceScaling 'normal' is a truncated normal, which Keras 3 names that way.
    if (cfg.distribution === 'normal') cfg.distribution = 'truncated_normal';
    const named = NAMED_VARIANCE_SCALING.find(([scale, mode, dist]) => cfg.scale === scale && cfg.mode === mode && cfg.distribution === dist);
    const seed = cfg.seed ?? null;
    if (named) {
      className = named[3];
      return { module: 'keras.initializers', class_name: className, config: { seed, input_axes: null, output_axes: null }, registered_name: null };
    }
    return { module: 'keras.initializers', class_name: className, config: { seed, scale: cfg.scale, mode: cfg.mode, distribution: cfg.distribution, input_axes: null, output_axes: null }, registered_name: null };
  }
  return { module: 'keras.initializers', class_name: className, config: cfg, registered_name: null };
}

/** Inserts `extra` into `out` after key `after` (at the end when null or absent), as Keras orders them. */
function insertAfter(out: Obj, after: string | null, extra: Obj): Obj {
  if (after === null || !(after in out)) return Object.assign(out, extra);
  const res: Obj = {};
  for (const [k, v] of Object.entries(out)) {
    res[k] = v;
    if (k === after) Object.assign(res, extra);
  }
  return res;
}

function layerConfig(layer: tf.layers.Layer | undefined, className: string, cfg: Obj): Obj {
  let out: Obj = { name: cfg.name, trainable: cfg.trainable ?? true, dtype: dtypePolicy() };
  const drop = new Set(['name', 'trainable', 'dtype', 'batch_input_shape', ...(KERAS2_ONLY[className] ?? [])]);
  for (const [k, v] of Object.entries(cfg)) {
    if (drop.has(k)) continue;
    out[k] = INITIALIZER_KEYS.test(k) ? initializer(v) : k === 'activation' && typeof v === 'string' ? (ACTIVATION_NAMES[v] ?? v) : v;
  }
  if (className === 'SeparableConv2D' && !('depth_multiplier' in out)) {
    // tfjs keeps depthMultiplier on the layer but leaves it out of getConfig.
    const dm = (layer as unknown as { depthMultiplier?: number } | undefined)?.depthMultiplier ?? 1;
    out = insertAfter(out, 'dilation_rate', { depth_multiplier: dm });
  }
  for (const [after, defaults] of KERAS3_DEFAULTS[className] ?? []) {
    const missing = Object.fromEntries(Object.entries(defaults).filter(([k]) => !(k in out)));
    out = insertAfter(out, after, missing);
  }
  if (className === 'Normalization') {
    // Keras 3 keeps the axis as a list; mean/variance live in the weights, not the config.
    out.axis = Array.isArray(out.axis) ? out.axis : [out.axis as number];
    Object.assign(out, { invert: false, mean: null, variance: null });
  }
  if (className === 'GlobalAveragePooling2D' || className === 'GlobalMaxPooling2D') out.keepdims = (cfg.keepdims as boolean | undefined) ?? false;
  if (className === 'AdaptiveAveragePooling2D') out.data_format = 'channels_last';
  return out;
}

function shapeJson(s: readonly (number | null)[]): Json {
  return s.map((d) => (d === null || d === undefined ? null : d));
}

function kerasTensor(shape: readonly (number | null)[], history: [string, number, number]): Obj {
  return { class_name: '__keras_tensor__', config: { shape: shapeJson(shape), dtype: 'float32', keras_history: history } };
}

function outputShapeOf(layer: tf.layers.Layer, tensorIndex: number): (number | null)[] {
  const s = layer.outputShape as unknown;
  const shapes = Array.isArray(s) && Array.isArray((s as unknown[])[0]) ? (s as (number | null)[][]) : [s as (number | null)[]];
  return shapes[tensorIndex] ?? shapes[0];
}

/**
 * The Keras 3 serialisation of `model` (a flat functional model: every layer called once).
 * Layer and weight names are kept byte for byte, so the weights file pairs up by name.
 */
export function keras3Config(model: tf.LayersModel): Obj {
  const j = model.toJSON(undefined, false) as unknown as {
    config: { name: string; layers: { name: string; class_name: string; config: Obj; inbound_nodes: [string, number, number, Obj?][][] }[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] };
  };
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const layers: Obj[] = j.config.layers.map((l): Obj => {
    const [module, registered] = NON_PUBLIC[l.class_name] ?? ['keras.layers', null];
    if (l.class_name === 'InputLayer') {
      const bis = (l.config.batch_input_shape ?? l.config.batch_shape) as Json;
      return {
        module,
        class_name: 'InputLayer',
        config: { batch_shape: bis, dtype: 'float32', sparse: false, ragged: false, name: l.name, optional: false },
        registered_name: registered,
        name: l.name,
        inbound_nodes: [],
      };
    }
    const nodes: Obj[] = l.inbound_nodes.map((node) => {
      const tensors = node.map(([src, nodeIdx, tensorIdx]) => kerasTensor(outputShapeOf(byName.get(src)!, tensorIdx), [src, nodeIdx, tensorIdx]));
      const args: Json[] = LIST_INPUT.has(l.class_name) || tensors.length > 1 ? [tensors] : [tensors[0]];
      return { args, kwargs: { ...(CALL_KWARGS[l.class_name] ?? {}) } };
    });
    const inputShapes = l.inbound_nodes[0]?.map(([src, , t]) => shapeJson(outputShapeOf(byName.get(src)!, t))) ?? [];
    return {
      module,
      class_name: l.class_name,
      config: layerConfig(byName.get(l.name), l.class_name, l.config),
      registered_name: registered,
      ...(HAS_BUILD.has(l.class_name) ? { build_config: { input_shape: inputShapes.length === 1 && !LIST_INPUT.has(l.class_name) ? inputShapes[0] : inputShapes } } : {}),
      name: l.name,
      inbound_nodes: nodes,
    };
  });
  const io = (list: [string, number, number][]): Json => (list.length === 1 ? [...list[0]] : list.map((x) => [...x]));
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: j.config.name, trainable: true, layers, input_layers: io(j.config.input_layers), output_layers: io(j.config.output_layers) },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: {},
  };
}

/** json.dumps as Python writes it: ", " and ": " separators, keys in insertion order. */
export function pythonJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : Number.isNaN(v) ? 'NaN' : '-Infinity';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`).join(', ')}}`;
}
