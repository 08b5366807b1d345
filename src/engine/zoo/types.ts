// SPDX-License-Identifier: MIT
import type * as tf from '@tensorflow/tfjs';

/** How a family expects its pixels (Keras `imagenet_utils.preprocess_input` modes). */
export type PreprocessMode = 'caffe' | 'tf' | 'torch' | 'none' | 'unit';

export type Pooling = 'avg' | 'max' | null;

/** Keras Applications builder options, camel-cased. Weights are loaded separately (see engine/weights). */
export interface BuildOptions {
  includeTop?: boolean; // default true
  inputShape?: [number, number, number]; // default [size, size, 3]
  pooling?: Pooling; // only when includeTop is false
  classes?: number; // default 1000
  classifierActivation?: string | null; // default 'softmax'
  /** MobileNet / MobileNetV2 width multiplier. */
  alpha?: number;
  /** MobileNet depth multiplier. */
  depthMultiplier?: number;
  /** MobileNet / EfficientNet top dropout. */
  dropout?: number;
  /**
   * EfficientNet: add the Rescaling(1/sqrt(stddev)) layer Keras adds only when built with
   * weights='imagenet' (it is in the traced manifests). Default true.
   */
  imagenetNormalization?: boolean;
}

export interface PaperRef {
  title: string;
  authors: string;
  year: number;
  url: string;
}

/** Figures from the keras.io Applications table (or the paper, for classics). */
export interface ReferenceFigures {
  top1?: number; // ImageNet top-1 accuracy, 0..1
  top5?: number;
  sizeMb?: number; // weight file size as documented
  depth?: number; // layers with parameters
  /** keras.io "Time (ms) per inference step (CPU)": one batch of 32, on Keras's machine. */
  cpuMsPerStep?: number;
  gpuMsPerStep?: number;
}

/**
 * A weights tag, the part after the dot in a model id (`mobilenetv2.nsfwjs`): which weights the
 * architecture starts from. `scratch` is seeded random initialisation.
 */
export type WeightsTag = 'nsfwjs' | 'imagenet' | 'scratch';

/** The weights value a run records and the contract accepts (`none` is the scratch tag). */
export type WeightsChoice = 'nsfwjs' | 'imagenet' | 'none';

/** Where a tag's weights come from (timm's PretrainedCfg url/file/hub fields). */
export type WeightsSource =
  | {
      kind: 'download';
      /** Keras's notop file: the name in the Keras cache, its URL and hash (null when Keras lists none). */
      fileName: string;
      url: string;
      hash: string | null;
      hashAlgorithm: 'md5' | 'sha256' | null;
      /** float32 weights of the notop model (parameters × 4 bytes); the HDF5 file is a little larger. */
      approxBytes: number;
    }
  | {
      kind: 'bundled';
      /** npm package that ships the weights, and the folder inside it. */
      package: string;
      dir: string;
      /** Bytes of the shipped weight shards (base64 text, as the package stores them). */
      approxBytes: number;
      homepage: string;
    }
  | { kind: 'none' };

/** One `arch.tag` entry of the registry: an architecture with one set of weights. */
export interface PretrainedCfg {
  /** `arch.tag`, e.g. 'mobilenetv2.nsfwjs', 'resnet50.imagenet', 'lenet5.scratch'. */
  id: string;
  arch: string;
  tag: WeightsTag;
  /** What TrainConfig.weights and the run records hold for this tag. */
  weights: WeightsChoice;
  // weight source
  source: WeightsSource;
  // input
  inputSize: number;
  /** The pixels these weights expect (nsfwjs was trained on [0, 1], Keras's on the family's mode). */
  preprocess: PreprocessMode;
  /** One line for menus: 'ImageNet (Keras, ≈9 MB download)'. */
  label: string;
}

/** Weights shipped inside an npm package, declared by the family that they fit. */
export interface BundledWeights {
  tag: Exclude<WeightsTag, 'imagenet' | 'scratch'>;
  package: string;
  dir: string;
  approxBytes: number;
  homepage: string;
  preprocess: PreprocessMode;
  label: string;
}

export interface ModelSpec {
  /** Architecture id, lower-case Keras name: 'resnet50', 'mobilenetv2', 'lenet5' (the registry adds `.tag`). */
  id: string;
  /** Keras constructor name ('ResNet50') or the classic's usual name ('LeNet-5'). */
  name: string;
  /** Family module, kebab-case ('resnet', 'resnet-v2', 'efficientnet'). */
  family: string;
  kind: 'keras' | 'classic';
  paper: PaperRef;
  /** Two or three sentences from the lecture: what this architecture introduced. */
  story: string;
  defaultInputSize: number;
  minInputSize: number;
  /** Input size must equal the default when includeTop is true (VGG, NASNet, ...). */
  fixedInputWithTop: boolean;
  preprocess: PreprocessMode;
  reference: ReferenceFigures;
  /** Parameter counts at the default input size (Keras's own, or the paper's for classics). */
  params: { top: number; notop: number };
  /** Name of the last feature layer (before the classifier head). */
  featureLayer: string;
  /** Weights bundled with the app for this architecture; they become its default tag. */
  bundled?: BundledWeights;
  /** Builds a fresh, randomly initialised model. Synchronous and pure: no weights, no I/O. */
  build(opts?: BuildOptions): tf.LayersModel;
  /**
   * Maps a layer name to its freezing block ('conv1', 'conv2_block1', 'block_3', 'top').
   * Layers returning null belong to the block before them (e.g. auto-named adds).
   */
  blockOf(layerName: string): string | null;
}

export interface BlockInfo {
  name: string;
  layers: string[];
  params: number;
  trainableParams: number;
}
