// SPDX-License-Identifier: MIT
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/engine-api';
import { saveModelArtifact } from '../engine/artifacts/model-artifact';
import { sha256 } from '../engine/export/index';
import { dispatch } from '../shared/ipc/dispatch';
import { createRun, updateRun } from '../store/repos/runs';
import { buildProgram } from '../cli/main';
import { createEngineApi } from './api';

const { tmp, db, call } = testEngine('ts-export-svc-');

async function smallRun(): Promise<number> {
  const input = tf.input({ shape: [16, 16, 3] });
  const x = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }).apply(input) as tf.SymbolicTensor;
  const p = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'head_predictions' }).apply(p) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'tiny' });
  const run = createRun(db, { backbone: 'tiny', weights: 'none', config: { epochs: 2, lr: 0.01 }, dir: path.join(tmp, 'run1') });
  await saveModelArtifact(model, path.join(tmp, 'run1', 'model'), { labels: ['a', 'b'], inputSize: 16, preprocess: 'unit', backbone: 'tiny', weights: 'none', runId: run.id });
  updateRun(db, run.id, { status: 'completed' });
  model.dispose();
  return run.id;
}

describe('export.run', () => {
  it('exports a run, records the files with their hashes, and the CLI prints the same as JSON', async () => {
    const runId = await smallRun();
    const r = await call('export.run', { runId, format: 'onnx', out: path.join(tmp, 'out-onnx') });
    expect(r.parity!.maxAbsDiff).toBeLessThan(1e-4);
    const onnx = r.files.find((f) => f.path === 'model.onnx')!;
    expect(onnx.sha256).toBe(sha256(await fs.readFile(path.join(tmp, 'out-onnx', 'model.onnx'))));
    const list = await call('export.list', { runId });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: r.id, runId, format: 'onnx', files: r.files });
    const tfjsDir = path.join(tmp, 'out-tfjs.zip');
    const res = await call('export.run', { modelDir: path.join(tmp, 'run1', 'model'), format: 'tfjs', out: tfjsDir, zip: true });
    expect(res.runId).toBeNull();
    expect((await fs.stat(tfjsDir)).isFile()).toBe(true);
    await expect(call('export.run', { runId: 999, format: 'tfjs', out: tmp })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is refused in browser mode outside the chosen folders', async () => {
    const browser = createEngineApi({ db, mode: 'browser', allowedRoots: new Set([path.join(tmp, 'allowed')]) });
    await expect(dispatch(browser, 'export.run', { modelDir: path.join(tmp, 'run1', 'model'), format: 'tfjs', out: path.join(tmp, 'elsewhere') })).rejects.toMatchObject({ code: 'FORBIDDEN_PATH' });
  });

  it('has a CLI command with the documented options', async () => {
    const cmd = (await buildProgram()).commands.find((c) => c.name() === 'export')!;
    expect(cmd.options.map((o) => o.long)).toEqual(['--format', '--out', '--zip', '--quantize', '--json']);
  });
});
