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

/** Layers whose call takes a list of tensors (one positional argument that is a list). */
const LIST_INPUT = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'CustomScaleLayer']);

const INITIALIZER_KEYS = /_initializer$/;

function dtypePolicy(name = 'float32'): Obj {
  return { module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null };
}

function initializer(v: Json): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const cfg = { ...((v.config as Obj | undefined) ?? {}) };
  // tfjs's VarianceScaling 'normal' is a truncated normal, which Keras 3 names that way.
  if (cfg.distribution === 'normal') cfg.distribution = 'truncated_normal';
  return { module: 'keras.initializers', class_name: v.class_name as string, config: cfg, registered_name: null };
}

function layerConfig(className: string, cfg: Obj): Obj {
  const out: Obj = { name: cfg.name, trainable: cfg.trainable ?? true, dtype: dtypePolicy() };
  for (const [k, v] of Object.entries(cfg)) {
    if (k === 'name' || k === 'trainable' || k === 'dtype' || k === 'batch_input_shape') continue;
    out[k] = INITIALIZER_KEYS.test(k) ? initializer(v) : v;
  }
  if (className === 'Normalization') Object.assign(out, { invert: false, mean: null, variance: null });
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
      return { args, kwargs: {} };
    });
    const inputShapes = l.inbound_nodes[0]?.map(([src, , t]) => shapeJson(outputShapeOf(byName.get(src)!, t))) ?? [];
    return {
      module,
      class_name: l.class_name,
      config: layerConfig(l.class_name, l.config),
      registered_name: registered,
      build_config: { input_shape: inputShapes.length === 1 && !LIST_INPUT.has(l.class_name) ? inputShapes[0] : inputShapes },
      name: l.name,
      inbound_nodes: nodes,
    };
  });
  const io = (list: [string, number, number][]): Json => (list.length === 1 ? [...list[0]] : list.map((x) => [...x]));
  return {
    module: 'keras',
    class_name: 'Functional',
    config: { name: j.config.name, trainable: true, layers, input_layers: io(j.config.input_layers), output_layers: io(j.config.output_layers) },
    registered_name: 'Functional',
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
