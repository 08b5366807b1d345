// SPDX-License-Identifier: MIT
// Times full fine-tuning steps (every layer trainable) of a zoo model on wasm and/or cpu.
// A step over `batch` images runs as micro-batches of `micro` images whose gradients are summed
// before one optimizer update: wasm32 memory stops at 4 GiB, and tfjs keeps every intermediate
// of a training step alive (about 600 MB per 224 px image for MobileNetV2).
// Run: node --import tsx scripts/wasm-train-bench.ts [modelId] [size] [batch] [steps] [backends] [micro]
// e.g. node --import tsx scripts/wasm-train-bench.ts mobilenetv2 224 8 2 wasm,cpu 4
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/engine/backend/backend';
import { createModel } from '../src/engine/zoo/registry';

async function bench(backend: BackendName, id: string, size: number, batch: number, steps: number, micro: number): Promise<void> {
  await initBackend(backend);
  const base = createModel(id, { inputShape: [size, size, 3], includeTop: false, pooling: 'avg' });
  const head = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: head });
  const x = tf.randomUniform([batch, size, size, 3], -1, 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 5), 'int32'), 5);
  const opt = tf.train.adam(1e-4);
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let total: tf.NamedTensorMap | undefined;
    let lossSum = 0;
    for (let from = 0; from < batch; from += micro) {
      const n = Math.min(micro, batch - from);
      const xs = x.slice(from, n);
      const ys = y.slice(from, n);
      const { value, grads } = tf.variableGrads(() => tf.mul(tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), n / batch) as tf.Scalar);
      lossSum += (await value.data())[0];
      if (total) {
        const prev: tf.NamedTensorMap = total;
        total = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.add(prev[k], g)]));
        tf.dispose([...Object.values(prev), ...Object.values(grads)]);
      } else {
        total = grads;
      }
      tf.dispose([xs, ys, value]);
    }
    opt.applyGradients(Object.entries(total!).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(total!));
    const wall = performance.now() - t0;
    // CPU time of this process as well: wall time is noisy on a shared machine.
    const cpu = process.cpuUsage(cpu0);
    const heap = backend === 'wasm' ? ` wasm heap ${((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20).toFixed(0)} MiB,` : '';
    process.stdout.write(`${backend} ${id} ${size}px batch ${batch} (micro ${micro}) step ${i + 1}: ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu,${heap} loss ${lossSum.toFixed(4)}, tensors ${tf.memory().numTensors}\n`);
  }
  tf.dispose([x, y]);
  model.dispose();
}

async function main(): Promise<void> {
  const [id = 'mobilenetv2', size = '224', batch = '8', steps = '2', backends = 'wasm,cpu', micro] = process.argv.slice(2);
  for (const b of backends.split(',')) await bench(b as BackendName, id, Number(size), Number(batch), Number(steps), Number(micro ?? batch));
}

void main();
