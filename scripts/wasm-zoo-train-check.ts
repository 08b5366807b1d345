// SPDX-License-Identifier: MIT
// One full fine-tuning step (every layer trainable) of every zoo model on wasm at a small input:
// lists which models train there and which fail (with the failing kernel named in the error).
// Run: node --import tsx scripts/wasm-zoo-train-check.ts [size] [id ...]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/backend';
import { listModels } from '../src/engine/zoo/registry';

async function main(): Promise<void> {
  const [sizeArg, ...ids] = process.argv.slice(2);
  await initBackend('wasm');
  const specs = listModels((s) => ids.length === 0 || ids.includes(s.id));
  let failures = 0;
  for (const spec of specs) {
    const size = Math.max(Number(sizeArg ?? 0), spec.minInputSize);
    const t0 = performance.now();
    try {
      const base = spec.build({ inputShape: [size, size, 3], includeTop: false, pooling: 'avg' });
      const head = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(base.outputs[0]) as tf.SymbolicTensor;
      const model = tf.model({ inputs: base.inputs, outputs: head });
      const shape = model.inputs[0].shape.slice(1) as number[];
      const x = tf.randomUniform([2, ...shape]);
      const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3);
      const loss = tf.train.sgd(0.01).minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      const value = (await loss!.data())[0];
      tf.dispose([x, y, loss!]);
      model.dispose();
      process.stdout.write(`ok   ${spec.id} ${size}px: loss ${value.toFixed(4)}, ${(performance.now() - t0).toFixed(0)} ms\n`);
    } catch (err) {
      failures++;
      process.stdout.write(`FAIL ${spec.id} ${size}px: ${(err as Error).message.split('\n')[0]}\n`);
    }
  }
  process.exitCode = failures ? 1 : 0;
}

void main();
