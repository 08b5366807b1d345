// SPDX-License-Identifier: MIT
// A forward pass that chooses the training flag per layer. tfjs's model.fit passes
// training=true to every layer, so a frozen BatchNormalization still normalises with batch
// statistics and rewrites its moving averages; Keras instead runs a frozen (trainable=false)
// BN in inference mode (https://keras.io/guides/transfer_learning/#do-a-round-of-finetuning-of-the-entire-model).
// Walking the graph ourselves lets those layers see training=false while the rest train.
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { canFuseBatchNorm, fusedBatchNormTraining } from '../backend/native-batchnorm';
import { canFuseRelu6, fusedRelu6 } from '../backend/native-kernels';
import { batchNormTraining, needsOwnBatchNorm } from './bn-training';

interface SymbolicLike {
  id: number;
}

interface NodeLike {
  inputTensors: SymbolicLike[];
  outputTensors: SymbolicLike[];
}

type LayerLike = tf.layers.Layer & { inboundNodes: NodeLike[] };

interface Step {
  layer: LayerLike;
  inputs: number[];
  outputs: number[];
}

interface Plan {
  inputs: number[];
  outputs: number[];
  steps: Step[];
}

const plans = new WeakMap<tf.LayersModel, Plan>();

/** The layers of `model` in execution order, each with the tensor ids it reads and writes. */
function planOf(model: tf.LayersModel): Plan {
  const cached = plans.get(model);
  if (cached) return cached;
  const containerNodes = (model as unknown as { containerNodes: Set<string> }).containerNodes;
  const steps: Step[] = [];
  // model.layers is sorted by decreasing depth, i.e. every layer after the layers it reads.
  for (const layer of model.layers as LayerLike[]) {
    if (layer.getClassName() === 'InputLayer') continue;
    layer.inboundNodes.forEach((node, i) => {
      if (!containerNodes.has(`${layer.name}_ib-${i}`)) return;
      steps.push({ layer, inputs: node.inputTensors.map((t) => t.id), outputs: node.outputTensors.map((t) => t.id) });
    });
  }
  const plan = {
    inputs: (model.inputs as unknown as SymbolicLike[]).map((t) => t.id),
    outputs: (model.outputs as unknown as SymbolicLike[]).map((t) => t.id),
    steps,
  };
  plans.set(model, plan);
  return plan;
}

export interface ForwardOptions {
  /** Training mode for every layer not listed in `inferenceLayers`. */
  training: boolean;
  /** Layers that always run in inference mode (frozen BatchNormalization, frozen Dropout). */
  inferenceLayers?: ReadonlySet<tf.layers.Layer>;
  /** Seeds for Dropout in training mode; without it tfjs draws unseeded masks. */
  nextSeed?: () => number;
}

/**
 * Runs `model` on concrete inputs with a per-layer training flag. Differentiable: call it
 * inside `optimizer.minimize` / `tf.variableGrads`. Nested models are walked recursively.
 */
export function forward(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], opts: ForwardOptions): tf.Tensor[] {
  const plan = planOf(model);
  const given = Array.isArray(inputs) ? inputs : [inputs];
  if (given.length !== plan.inputs.length) {
    throw new Error(`forward: model ${model.name} takes ${plan.inputs.length} inputs, received ${given.length}`);
  }
  const values = new Map<number, tf.Tensor>();
  plan.inputs.forEach((id, i) => values.set(id, given[i]));
  for (const step of plan.steps) {
    const ins = step.inputs.map((id) => {
      const v = values.get(id);
      if (!v) throw new Error(`forward: layer ${step.layer.name} reads a tensor that was never computed`);
      return v;
    });
    const training = opts.training && !opts.inferenceLayers?.has(step.layer);
    const outs = runLayer(step.layer, ins, training, opts);
    step.outputs.forEach((id, i) => values.set(id, outs[i]));
  }
  return plan.outputs.map((id) => values.get(id) as tf.Tensor);
}

function runLayer(layer: LayerLike, ins: tf.Tensor[], training: boolean, opts: ForwardOptions): tf.Tensor[] {
  if (layer instanceof tf.LayersModel) return forward(layer, ins, { ...opts, training });
  if (training && opts.nextSeed && layer.getClassName() === 'Dropout') {
    const rate = (layer as unknown as { rate: number }).rate;
    if (rate > 0) return [tf.dropout(ins[0], rate, undefined, opts.nextSeed())];
    return [ins[0]];
  }
  // On the native backend BN and ReLU6 train as TensorFlow's own fused ops (backend/native-*.ts).
  if (training && canFuseBatchNorm(layer, ins[0])) return [fusedBatchNormTraining(layer, ins[0] as tf.Tensor4D)];
  if (training && canFuseRelu6(layer, ins[0])) return [fusedRelu6(ins[0])];
  if (training && needsOwnBatchNorm(layer as tf.layers.Layer)) return [batchNormTraining(layer as tf.layers.Layer, ins[0])];
  const out = layer.apply(ins.length === 1 ? ins[0] : ins, { training }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** Layers that must not train: every layer with trainable=false, plus (optionally) every BN in `bnScope`. */
export function inferenceLayersOf(
  model: tf.LayersModel,
  bnScope?: ReadonlySet<string>,
): Set<tf.layers.Layer> {
  const out = new Set<tf.layers.Layer>();
  for (const layer of model.layers) {
    if (!layer.trainable) out.add(layer);
    else if (bnScope?.has(layer.name) && layer.getClassName() === 'BatchNormalization') out.add(layer);
  }
  return out;
}
