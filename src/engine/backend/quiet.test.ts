// SPDX-License-Identifier: MIT
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs `code` as an ES module in a fresh node (with tsx, from the repo root) and returns its stderr. */
function stderrOf(code: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

describe('the engine quiets TF.js in every process that uses it', () => {
  it('shows that TF.js alone prints the banner on the cpu backend', () => {
    expect(stderrOf("const tf = await import('@tensorflow/tfjs'); tf.tensor([1]).dataSync();")).toMatch(BANNER);
  });

  it('building a zoo model without any entry point prints no banner', () => {
    const code = "const { createModel } = await import('./src/engine/zoo/registry.ts'); const m = createModel('lenet5', {}); m.predict((await import('@tensorflow/tfjs')).zeros([1, ...m.inputs[0].shape.slice(1)])); console.error('built', m.layers.length);";
    const err = stderrOf(code);
    expect(err).toMatch(/built \d+/);
    expect(err).not.toMatch(BANNER);
  });
});
