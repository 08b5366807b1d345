// SPDX-License-Identifier: MIT
// The recipe's defaults as the engine resolves them (services/train-plan.ts, engine/data/augment.ts),
// each with the one-line reason the settings panel shows next to it.
import type { AugmentSettings } from '../../../shared/dto/train';

export const RECIPE = {
  epochs: 10,
  batch: 32,
  lr: 0.001,
  optimizer: 'adam',
  schedule: 'constant',
  labelSmoothing: 0,
  patience: 0,
  classWeights: 'none',
  dropout: 0.2,
  fineTuneBlocks: 3,
} as const;

/** Mirrors DEFAULT_AUGMENT: flips, ±10°, 80–100% crops, ±10% brightness and contrast. */
export const RECIPE_AUGMENT: Required<Pick<AugmentSettings, 'flipHorizontal' | 'flipVertical' | 'rotation' | 'brightness' | 'contrast'>> & { cropMin: number } = {
  flipHorizontal: true,
  flipVertical: false,
  rotation: 10,
  brightness: 0.1,
  contrast: 0.1,
  cropMin: 0.8,
};

export const WHY = {
  epochs: 'Passes over the training images; more fit closer, early stopping can end sooner.',
  batch: 'Images per step: larger is steadier and faster per image, but needs more memory.',
  lr: 'Step size for the new head; too high diverges, too low crawls.',
  imageSize: 'Smaller trains faster; the backbone was pretrained at its own size.',
  seed: 'The same seed gives the same split, shuffling and augmentation: runs you can compare.',
  optimizer: 'Adam adapts per weight and needs little tuning; SGD with momentum can generalise better once its rate is tuned.',
  schedule: 'Cosine lowers the rate smoothly to the end; step divides it at fixed epochs; constant keeps it.',
  labelSmoothing: 'Targets of 1 − ε instead of 1: less over-confident, better-calibrated predictions.',
  patience: 'Stop after this many epochs without a better validation loss (0: train every epoch).',
  classWeights: 'Balanced weighs rare classes up so the model does not learn to ignore them.',
  dropout: 'Drops head features at random while training, to curb overfitting on few images.',
  fineTuneBlocks: 'Phase 2 unfreezes this many top blocks of the backbone, the most task-specific ones.',
  fineTuneEpochs: 'Epochs of phase 2; by default a third of all epochs, with pretrained weights and 3+ epochs.',
  fineTuneLr: 'Phase 2 uses a small rate (default a tenth of the head’s) so pretrained features are nudged, not wiped.',
  augment: 'Random changes to training images each epoch, so the model learns the subject rather than the shot.',
  flipHorizontal: 'Mirror left–right half the time: right for most photos, wrong for text or arrows.',
  flipVertical: 'Mirror top–bottom half the time: only for images with no up (microscopy, aerial).',
  cropMin: 'Crop a random 100·x–100% of the area and resize back: teaches scale and framing.',
  rotation: 'Rotate up to ± this many degrees (corners reflected).',
  brightness: 'Shift brightness by up to ± this fraction of full scale.',
  contrast: 'Scale contrast by a factor in 1 ± this.',
} as const;
