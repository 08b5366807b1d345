// SPDX-License-Identifier: MIT
// Cuts a model at a freeze boundary: everything up to the boundary layer becomes an ONNX model
// (frozen, so ONNX Runtime may run it once per image and cache features) and the rest becomes a
// TF.js model that takes the boundary's output as its input and shares the original layers.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { type ConvertOptions, convertModel, outputTensorsFor, topoOrder } from './convert';

export interface SplitModel {
  /** ONNX bytes of the model up to and including the boundary layer. */
  frozen: Uint8Array;
  /** The layers after the boundary, as a TF.js model whose input is the boundary's output. */
  head: tf.LayersModel;
  /** Keras shape of the boundary output (batch first, null batch). */
  boundaryShape: (number | null)[];
}

/**
 * Splits `model` after `layerName`. Every path from the input to the outputs must pass through
 * that layer (a block output, not a layer inside a residual block).
 * @throws AppError INVALID_ARGUMENT when the layer is not a cut point or not in the model.
 */
export function splitModel(model: tf.LayersModel, layerName: string, opts: Omit<ConvertOptions, 'outputLayer'> = {}): SplitModel {
  const [boundary] = outputTensorsFor(model, layerName);
  let order;
  try {
    order = topoOrder(model.outputs, new Set([boundary.id]));
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `Cannot split model ${model.name} at layer ${layerName}: later layers also read tensors from before it (a skip connection crosses it). Pick the output layer of a block.`, { received: layerName }, { cause: err });
  }
  const input = tf.input({ shape: boundary.shape.slice(1) as number[], name: `${layerName}_features` });
  const memo = new Map<number, tf.SymbolicTensor>([[boundary.id, input]]);
  for (const node of order) {
    const ins = node.inputTensors.map((t) => memo.get(t.id)!);
    const out = node.outboundLayer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor | tf.SymbolicTensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => memo.set(t.id, outs[i]));
  }
  const head = tf.model({ inputs: input, outputs: model.outputs.map((t) => memo.get(t.id)!), name: `${model.name}_head` });
  const frozen = convertModel(model, { ...opts, outputLayer: layerName, metadata: { ...opts.metadata, freezeBoundary: layerName } });
  return { frozen, head, boundaryShape: [...boundary.shape] };
}
