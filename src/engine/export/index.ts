// SPDX-License-Identifier: MIT
// Model export: TF.js, Keras 3 (.keras), legacy Keras (.h5), ONNX, TFLite and training packages.
export { exportModel, probeInputs, ONNX_TOLERANCE, TFLITE_TOLERANCE } from './export-model';
export { EXPORT_FORMATS } from './types';
export type { ExportContext, ExportFormat, ExportRequest, ExportResult, ExportedFile, ManifestImage, Quantization, ValidationSet } from './types';
export { loadTfjsExport } from './tfjs-export';
export { zipBundle, sha256 } from './bundle';
