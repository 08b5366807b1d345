// SPDX-License-Identifier: MIT
// The project-local Python (Keras 3, TensorFlow CPU, ONNX, onnxruntime) that proves exports with
// the tools their users run. `.ci/run` creates it with `npm run python:env`; TS_PYTHON names another.
// Outside CI a missing interpreter skips those tests with the reason; in CI it is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Path of the project's Python with Keras + TensorFlow, or undefined (with the reason) when absent. */
export function projectPython(): { python?: string; reason?: string } {
  const candidate = process.env.TS_PYTHON ?? `${REPO_ROOT}.venv/bin/python`;
  if (!existsSync(candidate)) return { reason: `${candidate} does not exist (run npm run python:env)` };
  const probe = spawnSync(candidate, ['-c', 'import keras, tensorflow, onnx, onnxruntime'], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  if (probe.status !== 0) return { reason: `${candidate} cannot import keras/tensorflow/onnx/onnxruntime: ${probe.stderr.trim().split('\n').pop()}` };
  return { python: candidate };
}

/** For describe.skipIf: true when the tests must skip (never in CI, where a missing Python fails them). */
export function pythonMissing(): boolean {
  const { python, reason } = projectPython();
  if (python) return false;
  if (process.env.CI) throw new Error(`CI needs the project Python: ${reason}`);
  console.warn(`skipping Python-backed tests: ${reason}`);
  return true;
}

/** Runs a Python script (text) with the project Python; returns stdout, throws with stderr on failure. */
export function runPython(script: string, args: string[] = [], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): string {
  const { python, reason } = projectPython();
  if (!python) throw new Error(reason);
  const res = spawnSync(python, ['-c', script, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '', ...opts.env },
  });
  if (res.status !== 0) throw new Error(`python failed (${res.status ?? res.signal}): ${res.stderr.slice(-4000)}`);
  return res.stdout;
}
