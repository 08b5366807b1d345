// SPDX-License-Identifier: MIT
// One front door for every export format: loads the trained model folder, adds the files every
// export carries (labels.txt, preprocessing.json, model card, confusion matrix image), the
// format's own files, checks the result against TF.js where a runtime exists, and writes a
// folder or a zip. Nothing reads the clock, so exporting twice gives the same bytes.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { loadModelArtifact, type ModelArtifactMeta } from '../artifacts/model-artifact';
import { convertToOnnx, createSession, runSession } from '../onnx/index';
import { seededRandom } from '../onnx/parity';
import { getModelSpec } from '../zoo/registry';
import { preprocessDescription } from '../zoo/preprocess';
import { type Bundle, stableJson, text, writeBundle } from './bundle';
import { confusionPng } from './confusion-image';
import { kerasArchiveBytes, legacyH5Bytes } from './keras-export';
import { KERAS_NON_PUBLIC } from './keras3-config';
import { modelCardHtml, modelCardMarkdown } from './model-card';
import { quantizeOnnx } from './onnx-quantize';
import { addPackageFiles } from './package-export';
import { addTfjsFiles, customLayerClasses } from './tfjs-export';
import { kerasToTflite } from './tflite/convert';
import { parseTflite, runTflite } from './tflite/reference-interpreter';
import { writeTflite } from './tflite/writer';
import { EXPORT_FORMATS, type ExportRequest, type ExportResult } from './types';

export const ONNX_TOLERANCE = 1e-4;
export const TFLITE_TOLERANCE = 1e-4;
export const TFJS_TOLERANCE = 1e-6;

/** Seeded inputs in the model's preprocessed range, for parity checks. */
export function probeInputs(n: number, size: number, seed = 7): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n * size * size * 3 }, () => r() * 2 - 1);
}

function predictTfjs(model: tf.LayersModel, x: Float32Array, size: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(x, [x.length / (size * size * 3), size, size, 3])) as tf.Tensor).dataSync() as Float32Array).slice();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

function accuracy(probs: Float32Array, labels: number[]): number {
  const k = probs.length / labels.length;
  let ok = 0;
  labels.forEach((y, i) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    if (best === y) ok++;
  });
  return labels.length ? ok / labels.length : NaN;
}

function preprocessed(meta: ModelArtifactMeta, pixels: Float32Array): Float32Array {
  const p = preprocessDescription(meta.preprocess);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const src = p.colorOrder === 'BGR' ? pixels[i + 2 - c] : pixels[i + c];
      out[i + c] = (src * p.scale + p.offset - p.mean[c]) / p.std[c];
    }
  }
  return out;
}

async function commonFiles(bundle: Bundle, req: ExportRequest, meta: ModelArtifactMeta, params: number, notes: string[], kerasCustom: string[]): Promise<void> {
  const pre = preprocessDescription(meta.preprocess);
  bundle.set('labels.txt', text(`${meta.labels.join('\n')}\n`));
  bundle.set('preprocessing.json', text(stableJson({ inputSize: meta.inputSize, inputShape: [meta.inputSize, meta.inputSize, 3], layout: 'NHWC', ...pre, ...(meta.unsureThreshold !== undefined ? { unsureThreshold: meta.unsureThreshold } : {}) })));
  let spec: ReturnType<typeof getModelSpec> | undefined;
  try {
    spec = getModelSpec(meta.backbone);
  } catch {
    spec = undefined;
  }
  const ev = req.context?.evaluation ?? null;
  if (ev) bundle.set('confusion.png', await confusionPng(ev.confusion, ev.classNames));
  const md = modelCardMarkdown({
    meta,
    preprocess: pre,
    format: req.format,
    backboneName: spec?.name,
    paper: spec?.paper,
    params,
    context: req.context,
    confusionImage: ev ? 'confusion.png' : undefined,
    notes,
    files: [...bundle.keys()],
    kerasCustom,
  });
  bundle.set('model-card.md', text(md));
  bundle.set('model-card.html', text(modelCardHtml(md)));
}

async function onnxParity(onnx: Uint8Array, expected: Float32Array, x: Float32Array, size: number): Promise<{ diff: number; out: Float32Array }> {
  const session = await createSession(onnx, { threads: 1 });
  try {
    const r = await runSession(session, x, [x.length / (size * size * 3), size, size, 3]);
    return { diff: maxAbsDiff(r.data, expected), out: r.data };
  } finally {
    await session.release();
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled before any file was written.');
}

/**
 * Exports the model folder `req.artifactDir` as `req.format` to `req.out`.
 * @throws AppError INVALID_ARGUMENT (format, quantize), NOT_FOUND/FILE_CORRUPT (model folder),
 *   UNSUPPORTED (a layer the format cannot hold), EXPORT_MISMATCH (parity check failed: a converter bug), DISK_FULL, READ_ONLY
 */
export async function exportModel(req: ExportRequest): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(req.format)) {
    throw new AppError('INVALID_ARGUMENT', `Unknown export format. Received: ${JSON.stringify(req.format)}. Use one of ${EXPORT_FORMATS.join(', ')}.`, { received: req.format });
  }
  if (req.quantize && req.format !== 'onnx' && !(req.format === 'tflite' && req.quantize === 'int8')) {
    throw new AppError('INVALID_ARGUMENT', `--quantize ${req.quantize} is not available for ${req.format}. Use it with onnx (float16, int8) or tflite (int8).`, { format: req.format, quantize: req.quantize });
  }
  const { model, meta } = await loadModelArtifact(req.artifactDir);
  try {
    throwIfCancelled(req.signal);
    const size = meta.inputSize;
    const bundle: Bundle = new Map();
    const notes: string[] = [];
    const result: Omit<ExportResult, 'files' | 'path'> = { format: req.format, notes };
    const probe = probeInputs(2, size);
    const expected = predictTfjs(model, probe, size);
    if (req.format === 'tfjs') {
      const custom = await addTfjsFiles(model, bundle);
      if (custom.length) notes.push(`TF.js: load transfer-studio-layers.js after tf.min.js and before tf.loadLayersModel; it defines ${custom.join(', ')}.`);
    } else if (req.format === 'keras') {
      bundle.set('model.keras', await kerasArchiveBytes(model, meta.createdAt));
    } else if (req.format === 'h5') {
      bundle.set('model.h5', await legacyH5Bytes(model));
    } else if (req.format === 'onnx') {
      const onnx = convertToOnnx(model, { metadata: { labels: JSON.stringify(meta.labels), preprocess: meta.preprocess, backbone: meta.backbone } });
      bundle.set('model.onnx', onnx);
      const { diff } = await onnxParity(onnx, expected, probe, size);
      result.parity = { maxAbsDiff: diff, tolerance: ONNX_TOLERANCE, runtime: 'onnxruntime-node (CPU)' };
      if (!(diff <= ONNX_TOLERANCE)) throw new AppError('EXPORT_MISMATCH', `The ONNX export differs from TF.js by ${diff} (tolerance ${ONNX_TOLERANCE}). Report this model's layers.`, { diff });
      if (req.quantize) {
        const q = quantizeOnnx(onnx, req.quantize);
        const name = `model.${req.quantize}.onnx`;
        bundle.set(name, q.bytes);
        const qp = await onnxParity(q.bytes, expected, probe, size);
        const stats: NonNullable<ExportResult['quantization']> = { mode: req.quantize, maxAbsDiff: qp.diff, bytesBefore: onnx.byteLength, bytesAfter: q.bytes.byteLength };
        if (req.validation?.labels.length) {
          const xs = preprocessed(meta, req.validation.pixels);
          stats.accuracyBefore = accuracy((await onnxParity(onnx, new Float32Array(0), xs, size)).out, req.validation.labels);
          stats.accuracyAfter = accuracy((await onnxParity(q.bytes, new Float32Array(0), xs, size)).out, req.validation.labels);
        }
        result.quantization = stats;
        notes.push(`${name}: ${q.summary}; max prob change ${qp.diff.toExponential(2)}${stats.accuracyAfter !== undefined ? `, validation accuracy ${stats.accuracyBefore!.toFixed(4)} -> ${stats.accuracyAfter.toFixed(4)}` : ''}.`);
      }
    } else if (req.format === 'tflite') {
      const metadata = { labels: text(meta.labels.join('\n')), preprocessing: text(stableJson(preprocessDescription(meta.preprocess), 0)) };
      const int8 = req.quantize === 'int8';
      const bytes = writeTflite(kerasToTflite(model, { int8, description: `Transfer Studio: ${meta.backbone} + head, ${meta.labels.length} classes`, metadata }));
      const name = int8 ? 'model.int8.tflite' : 'model.tflite';
      bundle.set(name, bytes);
      const parsed = parseTflite(bytes);
      const out = new Float32Array(expected.length);
      const per = size * size * 3;
      const k = expected.length / 2;
      for (let i = 0; i < 2; i++) out.set(runTflite(parsed, probe.subarray(i * per, (i + 1) * per)), i * k);
      const diff = maxAbsDiff(out, expected);
      const tol = int8 ? 0.05 : TFLITE_TOLERANCE;
      result.parity = { maxAbsDiff: diff, tolerance: tol, runtime: 'reference interpreter (tfjs kernels)' };
      if (!(diff <= tol)) throw new AppError('EXPORT_MISMATCH', `The TFLite export differs from TF.js by ${diff} (tolerance ${tol}).`, { diff });
      if (int8) notes.push(`model.int8.tflite: kernels int8 per channel (DEQUANTIZE at load); max prob change ${diff.toExponential(2)}.`);
    } else {
      const custom = customLayerClasses((model.toJSON(undefined, false) as unknown as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers);
      await addPackageFiles(bundle, { model, meta, context: req.context, kerasBytes: await kerasArchiveBytes(model, meta.createdAt), customLayers: custom });
    }
    const kerasCustom = [...new Set(model.layers.map((l) => l.getClassName()).filter((c) => KERAS_NON_PUBLIC.has(c)))];
    await commonFiles(bundle, req, meta, model.countParams(), notes, kerasCustom);
    throwIfCancelled(req.signal);
    const files = await writeBundle(bundle, req.out, req.zip ?? false);
    return { ...result, path: req.out, files };
  } finally {
    model.dispose();
  }
}
