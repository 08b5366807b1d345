// SPDX-License-Identifier: MIT
// Shapes shared by the exporters: what to export, the context a model card needs, what came out.
import type { Evaluation } from '../eval/metrics';

export const EXPORT_FORMATS = ['tfjs', 'keras', 'h5', 'onnx', 'tflite', 'package'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type Quantization = 'float16' | 'int8';

/** One image of the dataset as the training package's manifest lists it. */
export interface ManifestImage {
  /** Path relative to the dataset root, with forward slashes. */
  path: string;
  label: string;
  split: 'train' | 'validation' | 'test' | null;
}

/** What the model card and training package say about where the model came from. */
export interface ExportContext {
  runId?: number;
  /** Recorded training settings (the run's config). */
  training?: Record<string, unknown>;
  evaluation?: Evaluation | null;
  dataset?: {
    name: string;
    root?: string;
    images?: ManifestImage[];
  };
  /** Free text for "Known limits", added to the generic ones. */
  limits?: string[];
}

/** Raw 0..255 RGB NHWC pixels and integer labels, for measuring what quantisation costs. */
export interface ValidationSet {
  pixels: Float32Array;
  labels: number[];
}

export interface ExportRequest {
  /** A model folder written by saveModelArtifact (model.json, weights.bin, meta.json). */
  artifactDir: string;
  format: ExportFormat;
  /** Output folder, or the .zip file to write when `zip` is set. */
  out: string;
  zip?: boolean;
  /** ONNX: float16 or dynamic int8; TFLite: int8 weights (float16 is not offered there). */
  quantize?: Quantization;
  context?: ExportContext;
  validation?: ValidationSet;
  /** Checked between conversion steps and before anything is written, so a cancel leaves no files. */
  signal?: AbortSignal;
}

export interface ExportedFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExportResult {
  format: ExportFormat;
  /** The folder or zip written. */
  path: string;
  files: ExportedFile[];
  /** Findings worth showing: parity figures, custom layers, quantisation cost. */
  notes: string[];
  parity?: { maxAbsDiff: number; tolerance: number; runtime: string };
  quantization?: { mode: Quantization; accuracyBefore?: number; accuracyAfter?: number; maxAbsDiff: number; bytesBefore: number; bytesAfter: number };
}
