// SPDX-License-Identifier: MIT
// The custom training loop for one phase. Not model.fit: a per-layer training flag (frozen BN
// in inference mode), cancellation between any two batches, per-batch events and checkpoints
// that a resumed run can continue from exactly.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { modelWeightEntries, saveBestWeights, saveCheckpoint, type LoopState, type NamedTensor } from './checkpoint';
import { forward } from './forward';
import { classificationLoss, correctCount, type LossOptions } from './loss';
import type { TrainOptimizer } from './optimizer';
import type { Rng } from './rng';
import { learningRateAt, type ScheduleOptions } from './schedule';
import type { Batch, BatchSource, EpochRecord, Phase, TrainHooks } from './types';

export type MutableLoopState = Omit<LoopState, 'optimizer' | 'version'>;

export interface PhaseContext {
  model: tf.LayersModel;
  train: BatchSource;
  val?: BatchSource;
  imageSize: number;
  preprocess?: Preprocess;
  loss: LossOptions;
  rng: Rng;
  hooks: TrainHooks;
  state: MutableLoopState;
  /** Layers that run in inference mode in this phase. */
  inferenceLayers: ReadonlySet<tf.layers.Layer>;
  /** Epochs still to come after this phase (for the ETA). */
  laterEpochs: number;
  /** In-memory copy of the best weights (the disk copy lives in checkpointDir/best). */
  bestWeights: { current: NamedTensor[] | null };
}

export interface PhasePlan {
  phase: Phase;
  epochs: number;
  optimizer: TrainOptimizer;
  schedule: Omit<ScheduleOptions, 'stepsPerEpoch' | 'epochs' | 'baseLr'> & { baseLr: number };
  patience: number;
}

export type Preprocess = (x: tf.Tensor4D) => tf.Tensor4D;

export function batchTensors(b: Batch, imageSize: number, preprocess?: Preprocess): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const n = b.y.length;
  const shape = b.shape ?? [n, imageSize, imageSize, b.x.length / (n * imageSize * imageSize)];
  if (shape[0] !== n || shape.reduce((a, c) => a * c, 1) !== b.x.length || !Number.isInteger(shape[3])) {
    throw new AppError('INVALID_INPUT', `A batch does not fit its shape: x has ${b.x.length} values, y has ${n} labels, shape ${JSON.stringify(shape)} (imageSize ${imageSize}). Check that the data pipeline resizes to imageSize.`, { shape, xLength: b.x.length, n });
  }
  const raw = tf.tensor4d(b.x, shape);
  const x = preprocess ? tf.tidy(() => preprocess(raw)) : raw;
  if (x !== raw) raw.dispose();
  return { x, y: tf.tensor1d(b.y, 'int32') };
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Training was cancelled; the last complete epoch is in the checkpoint directory (resume continues from it).');
}

/** Mean loss and accuracy of `model` (inference mode) over `source`. */
export async function evaluateLoss(model: tf.LayersModel, source: BatchSource, imageSize: number, loss: LossOptions, signal?: AbortSignal, preprocess?: Preprocess): Promise<{ loss: number; acc: number }> {
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  // Validation loss is unweighted, as in Keras (class_weight applies to training only).
  const valLoss: LossOptions = { numClasses: loss.numClasses, labelSmoothing: loss.labelSmoothing };
  for await (const b of source.epoch(0)) {
    throwIfAborted(signal);
    const { x, y } = batchTensors(b, imageSize, preprocess);
    const probs = model.predict(x) as tf.Tensor2D;
    const l = classificationLoss(y, probs, valLoss);
    lossSum += l.dataSync()[0] * b.y.length;
    correct += correctCount(y, probs);
    n += b.y.length;
    tf.dispose([x, y, probs, l]);
  }
  return n ? { loss: lossSum / n, acc: correct / n } : { loss: NaN, acc: NaN };
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs the remaining epochs of one phase, writing a checkpoint after each. Returns when the
 * phase is over (all epochs, or early stopping) with `state.phaseFinished` set.
 * @throws AppError CANCELLED when the signal fires (between batches).
 */
export async function runPhase(ctx: PhaseContext, plan: PhasePlan): Promise<void> {
  const { model, train, hooks, state, rng } = ctx;
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (varList.length === 0) {
    throw new AppError('INVALID_ARGUMENT', `Phase ${plan.phase} has nothing to train: every layer of ${model.name} is frozen.`);
  }
  let batchesPerEpoch = 0;
  while (state.epochsDone < plan.epochs && !state.phaseFinished) {
    const epoch = state.epochsDone + 1;
    const globalEpoch = state.history.length;
    const started = performance.now();
    let seen = 0;
    let lossSum = 0;
    let correct = 0;
    let batch = 0;
    let lr = plan.schedule.baseLr;
    for await (const b of train.epoch(globalEpoch)) {
      throwIfAborted(hooks.signal);
      batch += 1;
      const spe = Math.max(batchesPerEpoch, Math.ceil(train.size / Math.max(1, b.y.length)));
      lr = learningRateAt(state.step, { ...plan.schedule, stepsPerEpoch: spe, epochs: plan.epochs });
      plan.optimizer.setLearningRate(lr);
      const { x, y } = batchTensors(b, ctx.imageSize, ctx.preprocess);
      let probs: tf.Tensor2D | undefined;
      const cost = plan.optimizer.optimizer.minimize(
        () => {
          const [p] = forward(model, x, { training: true, inferenceLayers: ctx.inferenceLayers, nextSeed: () => rng.nextSeed() });
          probs = tf.keep(p as tf.Tensor2D);
          return classificationLoss(y, probs, ctx.loss);
        },
        true,
        varList,
      ) as tf.Scalar;
      const lossValue = (await cost.data())[0];
      if (!Number.isFinite(lossValue)) {
        tf.dispose([x, y, cost, probs as tf.Tensor]);
        throw new AppError('INVALID_INPUT', `The loss became ${lossValue} at phase ${plan.phase}, epoch ${epoch}, batch ${batch} (lr ${lr}). Lower the learning rate or check the inputs for NaN.`, { lr, epoch, batch });
      }
      correct += correctCount(y, probs as tf.Tensor2D);
      lossSum += lossValue * b.y.length;
      seen += b.y.length;
      state.step += 1;
      tf.dispose([x, y, cost, probs as tf.Tensor]);
      const elapsed = (performance.now() - started) / 1000;
      const imagesPerSec = seen / Math.max(elapsed, 1e-6);
      const remainingImages = Math.max(0, train.size - seen) + train.size * (plan.epochs - epoch + ctx.laterEpochs);
      hooks.onBatch?.({ phase: plan.phase, epoch, batch, batches: spe, loss: lossSum / seen, acc: correct / seen, lr, imagesPerSec, etaSeconds: remainingImages / imagesPerSec });
      await nextTick();
    }
    throwIfAborted(hooks.signal);
    if (seen === 0) throw new AppError('INVALID_INPUT', `The training set produced no batches in epoch ${epoch}. Check that the train split is not empty.`);
    batchesPerEpoch = batch;
    const trainSeconds = (performance.now() - started) / 1000;
    const val = ctx.val ? await evaluateLoss(model, ctx.val, ctx.imageSize, ctx.loss, hooks.signal, ctx.preprocess) : undefined;
    const monitored = val ? val.loss : lossSum / seen;
    const improved = state.best === null || monitored < state.best.valLoss;
    const record: EpochRecord = {
      phase: plan.phase,
      epoch,
      loss: lossSum / seen,
      acc: correct / seen,
      ...(val ? { valLoss: val.loss, valAcc: val.acc } : {}),
      lr,
      seconds: (performance.now() - started) / 1000,
      imagesPerSec: seen / trainSeconds,
      best: improved,
    };
    state.history.push(record);
    state.epochsDone = epoch;
    if (improved) {
      state.best = { valLoss: monitored, phase: plan.phase, epoch };
      state.wait = 0;
      // Keyed by layer position, not getWeights() order, which changes with trainable flags.
      tf.dispose((ctx.bestWeights.current ?? []).map((e) => e.tensor));
      ctx.bestWeights.current = modelWeightEntries(model).map((e) => ({ name: e.name, tensor: e.tensor.clone() }));
      if (hooks.checkpointDir) await saveBestWeights(hooks.checkpointDir, model);
    } else {
      state.wait += 1;
    }
    if (state.epochsDone >= plan.epochs || (plan.patience > 0 && state.wait >= plan.patience)) state.phaseFinished = true;
    state.rngState = rng.state;
    if (hooks.checkpointDir) {
      const slots: NamedTensor[] = await plan.optimizer.optimizer.getWeights();
      await saveCheckpoint(hooks.checkpointDir, model, slots, { ...state, optimizerName: plan.optimizer.name });
    }
    hooks.onEpoch?.(record);
  }
}
