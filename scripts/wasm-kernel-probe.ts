// SPDX-License-Identifier: MIT
// Lists the kernels one training step needs that the wasm backend lacks.
// Run: node --import tsx scripts/wasm-kernel-probe.ts [--with-training-kernels] [modelId [size [batch]]]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildProbeNet } from '../src/engine/backend/wasm-probe-net';
import { registerWasmTrainingKernels } from '../src/engine/backend/wasm-training';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const withOurs = args.includes('--with-training-kernels');
  const [modelId, sizeArg, batchArg] = args.filter((a) => !a.startsWith('--'));
  const size = Number(sizeArg ?? 32);
  const batch = Number(batchArg ?? 2);
  if (withOurs) registerWasmTrainingKernels();
  await tf.setBackend('cpu');
  const build = async (): Promise<tf.LayersModel> => {
    if (!modelId) return buildProbeNet(size);
    const { createModel } = await import('../src/engine/zoo/registry');
    return createModel(modelId, { inputShape: [size, size, 3], includeTop: true, classes: 3 } as never);
  };
  const model = await build();
  const classes = (model.outputs[0].shape[1] as number) ?? 3;
  const x = tf.randomUniform([batch, size, size, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1].slice(0, batch).concat(Array(Math.max(0, batch - 2)).fill(2)), 'int32'), classes);
  const opt = tf.train.sgd(0.01);
  const step = (): tf.Scalar =>
    opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true) as tf.Scalar;
  const profile = await tf.profile(() => step());
  const used = new Set(profile.kernelNames);
  const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  // Profiles also list op scopes (`fusedConv2d__op`), which are not kernels.
  const missing = [...used].filter((k) => !k.endsWith("__op") && !wasmKernels.has(k)).sort();
  process.stdout.write(`kernels used by one training step (${used.size}): ${[...used].sort().join(' ')}\n`);
  process.stdout.write(`missing on wasm (${missing.length}): ${missing.join(' ') || '(none)'}\n`);
  await tf.setBackend('wasm');
  try {
    const loss = step();
    process.stdout.write(`wasm training step ran, loss ${(await loss.data())[0]}\n`);
  } catch (err) {
    process.stdout.write(`wasm training step failed: ${(err as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

void main();
