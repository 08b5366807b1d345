// SPDX-License-Identifier: MIT
// ONNX export and ONNX Runtime inference for zoo models.
import type * as tf from '@tensorflow/tfjs';
import { type ConvertOptions, convertModel } from './convert';

export type { ConvertOptions } from './convert';
export { buildOnnxGraph, convertModel } from './convert';
export { createSession, runBatches, runSession } from './runtime';
export type { InferenceSession, RunResult, SessionOptions } from './runtime';
export { splitModel } from './split';
export type { SplitModel } from './split';
export { decodeModel, ONNX_IR_VERSION, ONNX_OPSET } from './proto';
export { LAYER_MAPPERS } from './ops/index';

/**
 * Converts a TF.js LayersModel to ONNX bytes (opset 17, NHWC float32 input, dynamic batch).
 * `opts.outputLayer` exports only up to that layer.
 * @throws AppError UNSUPPORTED naming the first layer without a mapper.
 */
export function convertToOnnx(model: tf.LayersModel, opts: ConvertOptions = {}): Uint8Array {
  return convertModel(model, opts);
}
