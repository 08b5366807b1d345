// SPDX-License-Identifier: MIT
// The feature fast path (issue 7): frozen layers on ONNX Runtime, their outputs cached on disk,
// only the trainable part trains in TF.js.
export { FeatureCache, featureCacheKeyHash, type FeatureCacheKey } from './cache';
export { extractFeatures, sha256File, withContentHashes, type ExtractOptions, type ExtractStats, type FeatureItem } from './extract';
export { featureSource, type FeatureSource, type FeatureSourceOptions } from './source';
export { alwaysFrozenBlocks, augments, ORT_VERSION, trainOnImages, type FastPathOptions, type FastPathReport, type ImageTrainData, type ImageTrainResult } from './fast-path';
export { folderImageData } from './folder-images';
