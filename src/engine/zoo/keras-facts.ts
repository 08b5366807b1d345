// SPDX-License-Identifier: MIT
// Run-time facts about the Keras Applications models: accuracy, size, depth, parameter counts,
// weight files. Read from resources/keras/weights.json, a copy of the facts traced from Keras.
import { readFileSync } from 'node:fs';
import { resourcePath } from '../../platform/app-root';
import type { PreprocessMode, ReferenceFigures } from './types';

export interface KerasWeightFile {
  file_name: string;
  url: string;
  cache_subdir: string;
  file_hash: string | null;
  hash_algorithm: 'md5' | 'sha256' | null;
}

export interface KerasModelFacts {
  keras_module: string;
  default_input_shape: [number, number, number];
  min_input_size: number;
  preprocess_mode: PreprocessMode;
  imagenet_top1: number | null;
  imagenet_top5: number | null;
  docs_size_mb: number;
  docs_depth_layers_with_params: number;
  total_params_top: number;
  total_params_notop: number;
  weights: { include_top: KerasWeightFile; notop: KerasWeightFile };
}

/**
 * "Time (ms) per inference step (CPU)" from the keras.io Applications table (batch 32, AMD EPYC,
 * TF 2.x). These are Keras's own measurements on their machine; ours are in `npm run bench`.
 */
export const KERAS_DOCS_CPU_MS: Readonly<Record<string, number>> = {
  Xception: 109.4,
  VGG16: 69.5,
  VGG19: 84.8,
  ResNet50: 58.2,
  ResNet101: 89.6,
  ResNet152: 127.4,
  ResNet50V2: 45.6,
  ResNet101V2: 72.7,
  ResNet152V2: 107.5,
  InceptionV3: 42.2,
  InceptionResNetV2: 130.2,
  MobileNet: 22.6,
  MobileNetV2: 25.9,
  DenseNet121: 77.1,
  DenseNet169: 96.4,
  DenseNet201: 127.2,
  NASNetMobile: 27.0,
  NASNetLarge: 344.5,
  EfficientNetB0: 46.0,
  EfficientNetB1: 60.2,
  EfficientNetB2: 80.8,
  EfficientNetB3: 140.0,
  EfficientNetB4: 308.3,
  EfficientNetB5: 579.2,
  EfficientNetB6: 958.1,
  EfficientNetB7: 1578.9,
};

const WEIGHTS_JSON = resourcePath('keras', 'weights.json');

let facts: Record<string, KerasModelFacts> | undefined;

export function allKerasFacts(): Record<string, KerasModelFacts> {
  if (!facts) {
    const raw = JSON.parse(readFileSync(WEIGHTS_JSON, 'utf8')) as Record<string, unknown>;
    delete raw._about;
    facts = raw as Record<string, KerasModelFacts>;
  }
  return facts;
}

/** @throws Error when the Keras name is not in weights.json (a programming error, not user input). */
export function kerasFacts(kerasName: string): KerasModelFacts {
  const f = allKerasFacts()[kerasName];
  if (!f) throw new Error(`No Keras facts for ${kerasName} in ${WEIGHTS_JSON}`);
  return f;
}

/** Reference figures for a ModelSpec, straight from the Keras docs table. */
export function kerasReferenceFigures(kerasName: string): ReferenceFigures {
  const f = kerasFacts(kerasName);
  return {
    top1: f.imagenet_top1 ?? undefined,
    top5: f.imagenet_top5 ?? undefined,
    sizeMb: f.docs_size_mb,
    depth: f.docs_depth_layers_with_params,
    cpuMsPerStep: KERAS_DOCS_CPU_MS[kerasName],
  };
}
