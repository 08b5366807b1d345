// SPDX-License-Identifier: MIT
// Features of the frozen part of a model: the on-disk cache, extraction on ONNX Runtime, and the
// batch sources over them (cached rows, or pixel batches run through the frozen part as they come).
export { FeatureCache, featureCacheKeyHash, type FeatureCacheKey } from './cache';
export { extractFeatures, withContentHashes, type ExtractOptions, type ExtractStats, type FeatureItem } from './extract';
export { featureSource, type FeatureSource, type FeatureSourceOptions } from './source';
export { frozenFeatureSource, type FrozenSourceOptions } from './frozen-source';
