// SPDX-License-Identifier: MIT
// The training engine's front door (storage-agnostic: plain DTOs and callbacks).
export { trainModel, toBatchSource, type TrainResult } from './train-model';
export { zooBackboneLoader, type ZooLoaderOptions } from './backbone-loader';
export { pipelineSource } from './data-source';
export { ORT_VERSION, trainOnImages, type ImageTrainData, type ImageTrainOptions, type ImageTrainResult, type SplitReport } from './image-train';
export { alwaysFrozenBlocks, augments, planSplit, type SplitPlan } from './split-policy';
export { evaluateModel, predictSource } from '../eval/evaluate';
export { saveModelToDir, loadModelFromDir } from '../artifacts/model-io';
export type { Backbone, BackboneLoader, Batch, BatchEvent, BatchSource, BatchSourceLike, EpochRecord, HeadOptions, OptimizerName, Phase, ScheduleName, TrainConfig, TrainData, TrainHooks } from './types';
export { attachHead, isHeadLayer } from './head';
export { backboneBlocks, countParams, freezeLayers, freezeUntilBlock, unfreezeTopBlocks, type Block } from './freeze';
export { forward, inferenceLayersOf } from './forward';
export { learningRateAt, type ScheduleOptions } from './schedule';
export { loadLatestCheckpoint, saveCheckpoint, type LoopState } from './checkpoint';
export { runTrainingInWorker, type WorkerJob, type ModuleRef } from './run-in-worker';
export type { Evaluation } from '../eval/metrics';
