// SPDX-License-Identifier: MIT
// Keras (tfjs) model -> TFLite graph, layer by layer, for the mobile zoo (MobileNet, MobileNetV2,
// EfficientNetB0, NASNetMobile) with our classifier head. This file walks the layers and wires
// tensors; each op family maps its layers in ops/ (the table is ops/index.ts), as onnx/ops/ does
// for ONNX. BatchNormalization after a convolution is folded into it; ReLU/ReLU6 on a convolution
// or Dense is fused. With int8, kernels are stored as per-channel symmetric int8 (emitter.ts).
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { Emitter } from './emitter';
import { TFLITE_MAPPERS } from './ops';
import { kerasConfig, weightsOf } from './ops/types';
import type { TflGraph } from './writer';

export interface TfliteOptions {
  int8?: boolean;
  description?: string;
  metadata?: Record<string, Uint8Array>;
}

const SUPPORTED = ['InputLayer', ...Object.keys(TFLITE_MAPPERS)];

function shapeOf(t: tf.SymbolicTensor): number[] {
  return t.shape.map((d) => (d === null ? 1 : d));
}

/**
 * Converts a flat functional model (one input, one output, every layer called once).
 * @throws AppError UNSUPPORTED naming the first layer TFLite export cannot map.
 */
export function kerasToTflite(model: tf.LayersModel, opts: TfliteOptions = {}): TflGraph {
  const e = new Emitter(opts.int8 ?? false);
  const ids = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  const inboundOf = (l: tf.layers.Layer) => (l as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[]; inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes[0];
  for (const l of model.layers) for (const src of inboundOf(l)?.inboundLayers ?? []) consumers.set(src.name, [...(consumers.get(src.name) ?? []), l.name]);
  const folded = new Set<string>();
  const key = (t: tf.SymbolicTensor) => `${t.sourceLayer.name}:${t.nodeIndex}:${t.tensorIndex}`;

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const node = inboundOf(layer);
    const out = layer.output as tf.SymbolicTensor;
    const outShape = shapeOf(out);
    if (cls === 'InputLayer') {
      ids.set(key(out), e.tensor(layer.name, outShape));
      continue;
    }
    const mapper = Object.hasOwn(TFLITE_MAPPERS, cls) ? TFLITE_MAPPERS[cls] : undefined;
    if (!mapper) {
      throw new AppError('UNSUPPORTED', `TFLite export: layer ${layer.name} (${cls}) has no TFLite mapping. Supported: ${SUPPORTED.join(', ')}. Export ONNX or TF.js for this model instead.`, { layer: layer.name, className: cls });
    }
    const inputs = node.inputTensors.map((t) => {
      const id = ids.get(key(t));
      if (id === undefined) throw new AppError('INTERNAL', `TFLite export: input of ${layer.name} was not emitted.`);
      return id;
    });
    // A layer folded into the one before it (a batch norm into its convolution) emits nothing.
    if (folded.has(layer.name)) {
      ids.set(key(out), inputs[0]);
      continue;
    }
    const y = mapper({
      e,
      layer,
      className: cls,
      config: kerasConfig(layer),
      inputs,
      inShape: shapeOf(node.inputTensors[0]),
      outShape,
      weights: weightsOf(layer),
      soleConsumer: () => {
        const next = consumers.get(layer.name) ?? [];
        return next.length === 1 ? model.getLayer(next[0]) : undefined;
      },
      fold: (f, id) => {
        folded.add(f.name);
        ids.set(key(f.output as tf.SymbolicTensor), id);
      },
    });
    ids.set(key(out), y);
  }
  const input = ids.get(key(model.inputs[0]));
  const output = ids.get(key(model.outputs[0]));
  if (input === undefined || output === undefined) throw new AppError('INTERNAL', 'TFLite export lost the model input or output.');
  return { tensors: e.tensors, operators: e.operators, inputs: [input], outputs: [output], description: opts.description ?? 'Transfer Studio', metadata: opts.metadata };
}
