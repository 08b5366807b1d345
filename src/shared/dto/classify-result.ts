// SPDX-License-Identifier: MIT
// What classification says about one file, as the engine produces it and the store keeps it.
import type { SkipCode } from './dataset-scan';

/** The runtime that classifies: ONNX Runtime, or TF.js when ONNX cannot run the model. */
export type EngineName = 'onnxruntime' | 'tfjs';

/** Why a file has no label: the data module's skip codes. */
export type ProblemCode = SkipCode;

/** One of the top-k classes of an image. */
export interface TopKEntry {
  label: string;
  p: number;
}

/** What classification says about one file; `problem` is set (and `label` null) for a skipped file. */
export interface ClassifiedFile {
  /** Relative to the classified folder, `/`-separated. */
  relPath: string;
  sha256: string | null;
  label: string | null;
  confidence: number | null;
  topk: TopKEntry[];
  unsure: boolean;
  problem: { code: ProblemCode; reason: string } | null;
}

export interface ClassifyProgress {
  /** Files handled in this run (classified, reused or skipped). */
  done: number;
  /** Files the walk found (known after the counting pass). */
  total: number;
  classified: number;
  reused: number;
  /** Already in the job before this run started (a resume). */
  resumed: number;
  problems: number;
  unsure: number;
  /** Labels counted so far in this run (resumed files not included). */
  counts: Record<string, number>;
  imagesPerSec: number;
  etaSeconds: number | null;
  elapsedSeconds: number;
  engine: EngineName | null;
}

/** A stored result: the model's answer plus a hand correction, if any. */
export interface StoredClassifyRow extends ClassifiedFile {
  correctedLabel: string | null;
}

/**
 * The one reading of a stored row, for the UI, the CLI and CSV/JSON exports alike: the corrected
 * label wins, and a corrected file is no longer unsure (a person decided it).
 */
export function classifyRowView(r: StoredClassifyRow) {
  return {
    path: r.relPath,
    label: r.correctedLabel ?? r.label,
    confidence: r.confidence,
    topk: r.topk,
    unsure: r.correctedLabel === null && r.unsure,
    problem: r.problem,
    modelLabel: r.label,
    corrected: r.correctedLabel !== null,
    sha256: r.sha256,
  };
}
