// SPDX-License-Identifier: MIT
// Compares one full fine-tuning step's gradients of zoo models between wasm (with our kernels)
// and the cpu backend, from identical weights and inputs. Models with dropout are not
// comparable (each backend draws its own masks). Randomly initialised deep nets with batch-
// statistics BatchNorm amplify float32 round-off layer by layer (at 32 px the last BatchNorms
// normalise 2 values each and the forward pass alone differs by 10%), so use 64-96 px, or
// --inference to take batch statistics out of the comparison.
// Prints the worst relative error per model.
// Run: node --import tsx scripts/wasm-grad-parity.ts [--inference] [size] [id ...]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/engine/backend/wasm-training';
import { getModelSpec } from '../src/engine/zoo/registry';

async function gradsOn(backend: string, id: string, size: number, weights: tf.Tensor[] | null, training: boolean): Promise<{ grads: Float32Array[]; names: string[]; loss: number; weights: tf.Tensor[] }> {
  await tf.setBackend(backend);
  const spec = getModelSpec(id);
  size = Math.max(size, spec.minInputSize);
  const base = spec.build({ inputShape: [size, size, 3], includeTop: false, pooling: 'avg' });
  const head = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: head });
  if (weights) model.setWeights(weights.map((w) => tf.tensor(w.dataSync(), w.shape)));
  const kept = weights ?? model.getWeights().map((w) => tf.keep(tf.tensor(w.dataSync(), w.shape)));
  const x = tf.tensor(Float32Array.from({ length: 2 * size * size * 3 }, (_, i) => Math.sin(i * 0.37)), [2, size, size, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training }) as tf.Tensor) as tf.Scalar);
  const out = model.trainableWeights.map((w) => grads[w.name].dataSync() as Float32Array);
  const names = model.trainableWeights.map((w) => w.originalName);
  const loss = value.dataSync()[0];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return { grads: out, names, loss, weights: kept };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // --inference: BatchNorm uses its moving statistics, which keeps the comparison well conditioned.
  const training = !args.includes('--inference');
  const [sizeArg = '32', ...ids] = args.filter((a) => !a.startsWith('--'));
  registerWasmTrainingKernels();
  for (const id of ids.length ? ids : ['mobilenetv2', 'resnet50', 'densenet121']) {
    const cpu = await gradsOn('cpu', id, Number(sizeArg), null, training);
    const wasm = await gradsOn('wasm', id, Number(sizeArg), cpu.weights, training);
    let worst = 0;
    let worstAt = -1;
    let worstScale = 0;
    const errors: number[] = [];
    cpu.grads.forEach((g, i) => {
      let diff = 0;
      let scale = 0;
      for (let j = 0; j < g.length; j++) {
        diff = Math.max(diff, Math.abs(g[j] - wasm.grads[i][j]));
        scale = Math.max(scale, Math.abs(g[j]));
      }
      const rel = diff / Math.max(scale, 1e-20);
      errors.push(rel);
      if (rel > worst) [worst, worstAt, worstScale] = [rel, i, scale];
    });
    process.stdout.write(`${id} ${sizeArg}px ${training ? 'training' : 'inference'}-mode BatchNorm: loss cpu ${cpu.loss} wasm ${wasm.loss}; ${cpu.grads.length} gradients, median relative error ${errors.sort((a, b) => a - b)[errors.length >> 1].toExponential(2)}, worst ${worst.toExponential(2)} (${cpu.names[worstAt]}, largest entry ${worstScale.toExponential(2)})\n`);
    tf.dispose(cpu.weights);
  }
}

void main();
