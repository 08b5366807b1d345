// SPDX-License-Identifier: MIT
// The machine a run happened on, stored with every result so figures from different runs are
// never compared blind.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { probeBackends } from '../../src/engine/backend/backend';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  platform: string;
  node: string;
  onnxruntime: string | null;
  tfjs: string | null;
  backends: { name: string; available: boolean; reason?: string }[];
  python: { torch: string | null; torchvision: string | null; reason?: string };
  loadAverage: [number, number, number];
  gitCommit: string | null;
}

const require = createRequire(import.meta.url);

function pkgVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The Debian interpreter that has python3-torch; PEERS_PYTHON overrides it. */
export const PYTHON = process.env.PEERS_PYTHON ?? '/usr/bin/python3';

/** torch and torchvision versions, or why they cannot be imported. */
export function probeTorch(): MachineInfo['python'] {
  try {
    const out = execFileSync(PYTHON, ['-c', 'import json, torch, torchvision; print(json.dumps([torch.__version__, torchvision.__version__]))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const [torch, torchvision] = JSON.parse(out.trim().split('\n').pop() ?? '[]') as [string, string];
    return { torch, torchvision };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const last = (e.stderr ?? e.message).trim().split('\n').pop();
    return { torch: null, torchvision: null, reason: `${PYTHON} cannot import torch/torchvision (${last}); install Debian's python3-torch and python3-torchvision` };
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(os.freemem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntime: pkgVersion('onnxruntime-node'),
    tfjs: pkgVersion('@tensorflow/tfjs'),
    backends: probeBackends().map(({ name, available, reason }) => ({ name, available, reason })),
    python: probeTorch(),
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)) as [number, number, number],
    gitCommit: gitCommit(),
  };
}

export function describeMachine(m: MachineInfo): string {
  const backends = m.backends.filter((b) => b.available).map((b) => b.name).join(', ');
  const torch = m.python.torch ? `PyTorch ${m.python.torch}` : 'no PyTorch';
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, onnxruntime-node ${m.onnxruntime}, tfjs ${m.tfjs} (backends: ${backends}), ${torch}; load average at start ${m.loadAverage.join(' / ')}${m.gitCommit ? `; commit ${m.gitCommit}` : ''}`;
}
