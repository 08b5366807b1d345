// SPDX-License-Identifier: MIT
// Keras `imagenet_utils.decode_predictions`: top-k ImageNet classes per sample, with the 1000 class
// entries from resources/imagenet/classes.json (scripts/gen-imagenet-classes.ts writes it).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { AppError } from '../../shared/errors';
import { resourcePath } from '../../platform/app-root';

export interface ImagenetPrediction {
  /** WordNet id ('n01440764') where the class file has it; null in the file generated from npm (labels only). */
  wnid: string | null;
  /** Keras's label ('great_white_shark'). */
  label: string;
  /** The class index 0..999 (Keras gives no index; useful for the UI). */
  index: number;
  score: number;
}

export type ImagenetClass = [wnid: string | null, label: string];

let classes: ImagenetClass[] | undefined;

/** The 1000 ImageNet classes in Keras's index order. @throws AppError FILE_CORRUPT when the file is malformed. */
export function imagenetClasses(): readonly ImagenetClass[] {
  if (classes) return classes;
  const file = resourcePath('imagenet', 'classes.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new AppError('FILE_UNREADABLE', `Cannot read the ImageNet class list ${file}: ${(err as Error).message}. Run scripts/gen-imagenet-classes.ts.`, { file }, { cause: err });
  }
  const list: ImagenetClass[] = [];
  for (let i = 0; i < 1000; i++) {
    const e = raw[String(i)];
    if (!Array.isArray(e) || e.length !== 2 || typeof e[1] !== 'string' || !(e[0] === null || typeof e[0] === 'string')) {
      throw new AppError('FILE_CORRUPT', `${file}: entry ${i} must be [wnid or null, label]. Received: ${JSON.stringify(e)}. Regenerate it with scripts/gen-imagenet-classes.ts.`, { file, index: i });
    }
    list.push([e[0], e[1]]);
  }
  return (classes = list);
}

/**
 * Top-`top` classes of each row of ImageNet probabilities (or logits), highest first, as Keras's
 * decode_predictions. Ties keep the lower class index first.
 * @throws AppError INVALID_INPUT unless the input is a batch of 1000-wide rows; INVALID_ARGUMENT for a bad `top`.
 */
export function decodePredictions(probs: number[][] | tf.Tensor2D, top = 5): ImagenetPrediction[][] {
  const rows: number[][] = probs instanceof tf.Tensor ? (probs.arraySync() as number[][]) : probs;
  const shape = probs instanceof tf.Tensor ? probs.shape : [rows.length, Array.isArray(rows[0]) ? rows[0].length : NaN];
  if (shape.length !== 2 || !rows.every((r) => Array.isArray(r) && r.length === 1000)) {
    throw new AppError(
      'INVALID_INPUT',
      `decodePredictions expects a batch of predictions of shape [samples, 1000]. Received shape ${JSON.stringify(shape)}. Pass the output of an ImageNet classifier with 1000 classes.`,
      { shape },
    );
  }
  if (!Number.isInteger(top) || top < 1 || top > 1000) {
    throw new AppError('INVALID_ARGUMENT', `decodePredictions: top must be an integer from 1 to 1000. Received: ${JSON.stringify(top)}.`, { top });
  }
  const names = imagenetClasses();
  return rows.map((row) =>
    row
      .map((score, index) => ({ score, index }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, top)
      .map(({ score, index }) => ({ wnid: names[index][0], label: names[index][1], index, score })),
  );
}
