// SPDX-License-Identifier: MIT
// Runs a peer script (bench/peers/*.py) under the Debian Python and parses its JSON line.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PYTHON, probeTorch } from './machine';
import { summarize, type Sample, type Summary } from './stats';

export interface TimedSeries {
  wall_ms: number[];
  cpu_ms: number[];
}

/** Why PyTorch cannot run here, or null when it can. */
export function torchMissing(): string | null {
  const t = probeTorch();
  return t.torch ? null : (t.reason ?? 'torch is not importable');
}

/** The project Python (npm run python:env: onnxruntime, pillow, keras); TS_PYTHON names another. */
export const PROJECT_PYTHON = process.env.TS_PYTHON ?? fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));

/** Runs bench/peers/`script` with `python` (default: the Debian Python with torch). */
export function runPeer<T>(script: string, args: string[], timeoutMs = 900_000, python = PYTHON): Promise<T> {
  const path = fileURLToPath(new URL(`../peers/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(python, [path, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${script} ${args.join(' ')} failed: ${(stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${script} printed no JSON: ${stdout.slice(-300)}`));
      }
    });
  });
}

export function seriesSummary(s: TimedSeries, load: number): Summary {
  const samples: Sample[] = s.wall_ms.map((w, i) => ({ wallMs: w, cpuMs: s.cpu_ms[i] }));
  return summarize(samples, load);
}
