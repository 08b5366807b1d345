// SPDX-License-Identifier: MIT
// ONNX Runtime (CPU) throughput for MobileNetV2 at 224x224, batch 1 and 32, in ms per image.
// Run: node --import tsx bench/onnx-mobilenetv2.ts [--threads N]
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { convertToOnnx, createSession, runSession } from '../src/engine/onnx/index';
import { seededRandom } from '../src/engine/onnx/parity';
import { createModel } from '../src/engine/zoo/registry';

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const threadsArg = process.argv.indexOf('--threads');
  const threads = threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : os.availableParallelism();
  const model = createModel('mobilenetv2', { includeTop: true });
  let t = performance.now();
  const bytes = convertToOnnx(model);
  const convertMs = performance.now() - t;
  t = performance.now();
  const session = await createSession(bytes, { threads });
  const sessionMs = performance.now() - t;
  const rand = seededRandom(1);
  const rows: string[] = [];
  for (const batch of [1, 32]) {
    const shape = [batch, 224, 224, 3];
    const x = Float32Array.from({ length: batch * 224 * 224 * 3 }, () => rand() * 2 - 1);
    await runSession(session, x, shape); // warm-up
    const reps = batch === 1 ? 30 : 5;
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await runSession(session, x, shape);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    rows.push(`batch ${batch}: median ${median.toFixed(1)} ms/batch, ${(median / batch).toFixed(2)} ms/image (min ${(times[0] / batch).toFixed(2)}), ${reps} runs`);
  }
  await session.release();
  process.stdout.write(
    [
      `MobileNetV2 224x224 on onnxruntime-node CPU, ${threads} intra-op threads, ${os.cpus()[0]?.model ?? 'cpu'}`,
      `export ${convertMs.toFixed(0)} ms (${(bytes.byteLength / 1e6).toFixed(1)} MB), session ${sessionMs.toFixed(0)} ms`,
      ...rows,
      '',
    ].join('\n'),
  );
}

await main();
