// SPDX-License-Identifier: MIT
// What a threshold does on the validation set: how many images become "unsure" (top-1 confidence
// below it), how many of those the model had wrong, and how accurate the remaining "sure" ones are.

export interface ThresholdStats {
  threshold: number;
  total: number;
  unsure: number;
  /** Wrong predictions that the threshold turns into "unsure". */
  wrongCaught: number;
  /** Wrong predictions still given as sure answers. */
  wrongLeft: number;
  /** Accuracy over the sure images (null when none are left). */
  sureAccuracy: number | null;
}

/** `confidence` ascending, `correct` in the same order (as runs.confidences returns them). */
export function thresholdStats(confidence: readonly number[], correct: readonly boolean[], threshold: number): ThresholdStats {
  let unsure = 0;
  let wrongCaught = 0;
  let wrongLeft = 0;
  for (let i = 0; i < confidence.length; i++) {
    if (confidence[i] < threshold) {
      unsure++;
      if (!correct[i]) wrongCaught++;
    } else if (!correct[i]) wrongLeft++;
  }
  const sure = confidence.length - unsure;
  return { threshold, total: confidence.length, unsure, wrongCaught, wrongLeft, sureAccuracy: sure ? (sure - wrongLeft) / sure : null };
}

/** The curve for the picker: unsure count at each threshold from 0 to 1 in `steps` steps. */
export function unsureCurve(confidence: readonly number[], steps = 20): { x: number[]; unsure: number[] } {
  const x = Array.from({ length: steps + 1 }, (_, i) => i / steps);
  return { x, unsure: x.map((t) => confidence.filter((c) => c < t).length) };
}
