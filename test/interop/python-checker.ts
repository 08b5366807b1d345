// SPDX-License-Identifier: MIT
// One long-lived check_exports.py for the whole loader suite: TensorFlow is imported once (seconds
// on a loaded CI core), then each model's export root goes in as one stdin line and its report comes
// back as one JSON line. Asynchronous, so Chromium's checks of the same model run meanwhile.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectPython, REPO_ROOT } from '../python';

const SCRIPT = path.join(REPO_ROOT, 'test/interop/check_exports.py');

export interface PythonReport {
  versions: Record<string, string>;
  probs: Record<string, number[][]>;
  labels: Record<string, string[]>;
  keras_config_diffs: string[];
}

export interface PythonChecker {
  check(root: string, timeoutMs: number): Promise<PythonReport>;
  close(): void;
}

export function startPythonChecker(): PythonChecker {
  const { python, reason } = projectPython();
  if (!python) throw new Error(reason);
  const child: ChildProcessWithoutNullStreams = spawn(python, [SCRIPT], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const waiting: ((line: string | null) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(line));
  child.on('exit', () => waiting.splice(0).forEach((w) => w(null)));
  return {
    check(root, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`check_exports.py gave no report for ${root} in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
        waiting.push((line) => {
          clearTimeout(timer);
          if (line === null) return reject(new Error(`check_exports.py exited (${child.exitCode ?? child.signalCode}): ${stderr}`));
          const report = JSON.parse(line) as PythonReport & { error?: string };
          if (report.error) reject(new Error(`check_exports.py: ${report.error}`));
          else resolve(report);
        });
        child.stdin.write(`${root}\n`);
      });
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}
