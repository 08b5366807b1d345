// SPDX-License-Identifier: MIT
// Plain data shapes of the training engine. No tensors cross this boundary except the model
// itself, so events and results can go through worker messages, IPC and SQLite unchanged.
import type * as tf from '@tensorflow/tfjs';
import type { PreprocessMode } from '../zoo/types';

export type { Batch, BatchSource, BatchSourceLike } from '../data/batch-source';
import type { AugmentConfig } from '../data/augment';
import type { BatchSourceLike } from '../data/batch-source';
import type { PipelineItem } from '../data/pipeline';

export interface TrainData {
  train: BatchSourceLike;
  val?: BatchSourceLike;
  test?: BatchSourceLike;
  /** Class names in label order; their count sets the head's width. */
  classNames?: string[];
}

export type OptimizerName = 'adam' | 'sgd';
export type ScheduleName = 'constant' | 'cosine' | 'step';

/** Mirrors the CLI's `train` flags; every field but `backbone` and `epochs` has a default. */
export interface TrainConfig {
  /** Zoo id ('mobilenetv2') or any id a custom backbone loader understands. */
  backbone: string;
  /** 'imagenet', 'nsfwjs', a file path, or null / 'none' for random initialisation. */
  weights?: string | null;
  /**
   * Phase-1 freezing: 'all' (default: the whole backbone, Keras's feature-extraction phase),
   * 'none', or a block name: that block and every block below it are frozen.
   */
  freezeUntil?: string;
  /** Phase-1 epochs. */
  epochs: number;
  /** Batch size. The engine takes batches as the sources make them; this is for building the sources. */
  batch?: number;
  /** Phase-1 learning rate (default 1e-3). */
  lr?: number;
  imageSize?: number;
  numClasses?: number;
  seed?: number;
  optimizer?: OptimizerName;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  schedule?: ScheduleName;
  warmupEpochs?: number;
  /** 'step' schedule: multiply by `stepGamma` (default 0.1) every `stepEvery` epochs (default 10). */
  stepEvery?: number;
  stepGamma?: number;
  labelSmoothing?: number;
  /** Per-class loss weights, or 'balanced' (n / (k * count), needs the source's classCounts). */
  classWeights?: number[] | 'balanced';
  /**
   * Early-stopping patience on validation loss (training loss without a validation set), in
   * epochs, counted per phase; 0 or undefined disables it. The best epoch's weights are kept either way.
   */
  patience?: number;
  head?: HeadOptions;
  /** Phase 2 (Keras fine-tuning): unfreeze the top `blocks` blocks at `lr` (default phase-1 lr × 0.1). */
  fineTune?: { blocks: number; lr?: number; epochs: number };
  /**
   * Keep BatchNormalization layers of the backbone in inference mode even when unfrozen
   * (Keras transfer-learning guide). Default: true when weights are pretrained.
   */
  bnInference?: boolean;
}

export interface HeadOptions {
  pooling?: 'avg' | 'max';
  dropout?: number;
  /** Units of an optional hidden ReLU dense layer before the classifier. */
  hidden?: number;
}

export type Phase = 1 | 2;

export interface BatchEvent {
  phase: Phase;
  /** 1-based within the phase. */
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  batches?: number;
  loss: number;
  acc: number;
  lr: number;
  imagesPerSec: number;
  etaSeconds?: number;
}

export interface EpochRecord {
  phase: Phase;
  /** 1-based within the phase. */
  epoch: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
  /** Learning rate at the end of the epoch. */
  lr: number;
  seconds: number;
  imagesPerSec: number;
  /** True when this epoch set a new best validation loss (its weights are the best checkpoint). */
  best: boolean;
}

export interface TrainHooks {
  onBatch?: (e: BatchEvent) => void;
  onEpoch?: (e: EpochRecord) => void;
  signal?: AbortSignal;
  /** Where end-of-epoch checkpoints go; without it nothing is written and resume is impossible. */
  checkpointDir?: string;
  /** Continue from the last complete epoch in `checkpointDir` (if there is one). */
  resume?: boolean;
  /** Supplies the backbone; defaults to the zoo registry plus the weights cache. */
  loadBackbone?: BackboneLoader;
}

/** A notop feature extractor plus how its layers group into freezing blocks. */
export interface Backbone {
  model: tf.LayersModel;
  /** Layer name -> block; null = same block as the layer before (zoo ModelSpec.blockOf). */
  blockOf: (layerName: string) => string | null;
  pretrained: boolean;
  /** Keras preprocess_input for this backbone, applied to every batch before the model. */
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** The same preprocessing as a mode name; the feature fast path needs it (ONNX has no tfjs). */
  preprocessMode?: PreprocessMode;
  /** Where the weights came from ('nsfwjs@4.4.0', 'imagenet:<file>', 'file:<path>', 'random:<seed>'), for cache keys and run records. */
  weightsId?: string;
}

export type BackboneLoader = (config: TrainConfig) => Promise<Backbone>;

/** Structured-clone-safe description of a run's data (also written to the run folder for resume). */
export interface FolderDataArgs {
  root: string;
  classes: string[];
  train: PipelineItem[];
  validation: PipelineItem[];
  test: PipelineItem[];
  imageSize: number;
  batch: number;
  seed: number;
  augment?: AugmentConfig | null;
  /** Decodes at once, times two (default: the decode pool's capacity). */
  workers?: number;
  /** The decoded-image cache folder; set when the job is run, not stored in job.json. */
  imageCacheDir?: string;
}
