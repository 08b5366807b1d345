// SPDX-License-Identifier: MIT
// What classification says about one file, as the engine produces it and the store keeps it.
import type { SkipCode } from './dataset-scan';

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
