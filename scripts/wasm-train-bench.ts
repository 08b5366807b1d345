// SPDX-License-Identifier: MIT
// Times full fine-tuning steps (every layer trainable) of a zoo model on wasm and/or cpu.
// Run: node --import tsx scripts/wasm-train-bench.ts [modelId] [size] [batch] [steps] [backends]
// e.g. node --import tsx scripts/wasm-train-bench.ts mobilenetv2 224 8 2 wasm,cpu
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/engine/backend/backend';
import { buildModel } from '../src/engine/zoo/registry';

async function bench(backend: BackendName, id: string, size: number, batch: number, steps: number): Promise<void> {
  await initBackend(backend);
  const base = buildModel(id, { inputShape: [size, size, 3], includeTop: false, pooling: 'avg' });
  const head = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: head });
  const x = tf.randomUniform([batch, size, size, 3], -1, 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 5), 'int32'), 5);
  const opt = tf.train.adam(1e-4);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
    const value = (await loss!.data())[0];
    loss!.dispose();
    times.push(performance.now() - t0);
    process.stdout.write(`${backend} ${id} ${size}px batch ${batch} step ${i + 1}: ${times[i].toFixed(0)} ms, loss ${value.toFixed(4)}, tensors ${tf.memory().numTensors}\n`);
  }
  tf.dispose([x, y]);
  model.dispose();
}

async function main(): Promise<void> {
  const [id = 'mobilenetv2', size = '224', batch = '8', steps = '2', backends = 'wasm,cpu'] = process.argv.slice(2);
  for (const b of backends.split(',')) await bench(b as BackendName, id, Number(size), Number(batch), Number(steps));
}

void main();
