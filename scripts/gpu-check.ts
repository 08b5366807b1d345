// SPDX-License-Identifier: MIT
// npm run gpu:check — on a machine with an NVIDIA GPU: does @tensorflow/tfjs-node-gpu load, does
// TensorFlow place ops on the GPU, and how fast is one MobileNetV2 training batch there next to the
// CPU build. Each build runs in its own child process (the two bindings never share a process).
// Exit status: 0 when the GPU build trained a batch on a GPU, 1 otherwise (with the reason).
//   node --import tsx scripts/gpu-check.ts [--size 224] [--batch 8] [--reps 3]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const { values: a } = parseArgs({ options: { child: { type: 'string' }, size: { type: 'string', default: '224' }, batch: { type: 'string', default: '8' }, reps: { type: 'string', default: '3' } } });

interface ChildReport {
  backend: string;
  gpuDevice: boolean;
  tfVersion?: string;
  msPerImg: number;
  loss: number;
}

async function child(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const { initBackend } = await import('../src/engine/backend/backend');
  const { timeTrainStep } = await import('../bench/lib/native-step');
  tf.env().set('PROD', true);
  const backend = await initBackend(name);
  const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  // One real batch, checked for a finite loss, before timing.
  const x = tf.randomUniform([2, 32, 32, 3]);
  const loss = tf.tidy(() => tf.mean(tf.square(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 3, 4]), 1, 'same'))).dataSync()[0]);
  const size = Number(a.size);
  const batch = Number(a.batch);
  const samples = await timeTrainStep('mobilenetv2', size, batch, Number(a.reps));
  const ms = samples.map((s) => s.wallMs).sort((p, q) => p - q)[Math.floor(samples.length / 2)] / batch;
  const report: ChildReport = { backend, gpuDevice: !!b.isUsingGpuDevice, tfVersion: b.binding?.TF_Version, msPerImg: ms, loss };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function run(name: string): ChildReport | { error: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name, '--size', a.size, '--batch', a.batch, '--reps', a.reps], { encoding: 'utf8', timeout: 900_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return JSON.parse(last) as ChildReport;
  return { error: (r.stderr || r.stdout || `exit ${r.status ?? r.signal}`).trim().split('\n').find((l) => /^\w*Error: /.test(l)) ?? `exit ${r.status}` };
}

async function main(): Promise<number> {
  if (a.child === 'tensorflow-gpu' || a.child === 'tensorflow') {
    await child(a.child);
    return 0;
  }
  const { gpuRequirements } = await import('../src/engine/backend/native');
  const req = gpuRequirements();
  console.log(`tfjs-node-gpu needs: ${req.needs}`);
  console.log(`this machine has:    ${req.has}`);
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
  console.log(`nvidia-smi:          ${smi.status === 0 ? smi.stdout.trim() : 'not available'}`);
  const tag = `MobileNetV2 ${a.size}px batch ${a.batch}, full fine-tune step`;
  const gpu = run('tensorflow-gpu');
  const cpu = run('tensorflow');
  const show = (label: string, r: ChildReport | { error: string }) =>
    console.log('error' in r ? `${label}: FAILED: ${r.error}` : `${label}: ${r.msPerImg.toFixed(1)} ms/img on ${r.gpuDevice ? 'the GPU' : 'the CPU'} (libtensorflow ${r.tfVersion ?? '?'})`);
  console.log(tag);
  show('  tfjs-node-gpu', gpu);
  show('  tfjs-node    ', cpu);
  if (!('error' in gpu) && !('error' in cpu)) console.log(`  GPU speed-up:  ${(cpu.msPerImg / gpu.msPerImg).toFixed(1)}x`);
  if ('error' in gpu) return 1;
  if (!gpu.gpuDevice) {
    console.log('tfjs-node-gpu loaded but TensorFlow placed no op on a GPU (see the needs/has lines above)');
    return 1;
  }
  return 0;
}

process.exitCode = await main();
