// SPDX-License-Identifier: MIT
import type { Command } from 'commander';
import type { DoctorReport } from '../../shared/dto/doctor';
import { doctorReport } from '../../services/doctor';
import { formatBytes, printJson } from '../output';
import { formatImageCache } from './cache';

type Lib = NonNullable<DoctorReport['backends'][number]['libtensorflow']>;

function formatLib(l: Lib): string {
  const from = l.source === 'local-wheel' ? `local tensorflow wheel (npm run tensorflow:local${l.python ? `, ${l.python}` : ''})` : l.source === 'official' ? "official download by tfjs-node's installer" : 'unknown origin';
  return `${l.loadedVersion ?? l.version ?? '?'} from ${from}${l.path ? `: ${l.path}` : ''}`;
}

export function formatDoctor(r: DoctorReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `${r.app.name} ${r.app.version}`,
    `Platform       ${r.platform.os} ${r.platform.arch}, ${r.platform.cpus} cores, ${r.platform.memoryGiB} GiB`,
    `Node           ${r.node}`,
    `Electron       ${r.electron.installed ? r.electron.version : r.electron.reason}`,
    'TF.js backends',
    ...r.backends.flatMap((b) => [
      `  ${b.name.padEnd(15)}${b.available ? `available${b.gpuDevice ? ' (on a GPU)' : ''}` : `unavailable: ${b.reason}`}`,
      ...(b.libtensorflow ? [`  ${''.padEnd(15)}libtensorflow ${formatLib(b.libtensorflow)}`] : []),
    ]),
    `  would use     ${r.selectedBackend}`,
    `ONNX Runtime   ${r.onnxruntime.available ? `onnxruntime-node ${r.onnxruntime.version}` : r.onnxruntime.reason}`,
    `GPU            ${yes(r.gpu.visible)} (${r.gpu.details})`,
    ...(r.gpu.tfjsNodeGpu
      ? [`  tfjs-node-gpu  ${r.gpu.tfjsNodeGpu.usable ? 'can use the GPU' : 'cannot use the GPU'}: needs ${r.gpu.tfjsNodeGpu.needs}; this machine has ${r.gpu.tfjsNodeGpu.has}`]
      : []),
    `Keras cache    ${r.kerasCache.dir} (${r.kerasCache.exists ? `${r.kerasCache.files} files, ${formatBytes(r.kerasCache.bytes)}` : 'not created yet'})`,
    `Data folder    ${r.dataDir}`,
    `Image cache    ${formatImageCache(r.imageCache)}`,
    `Database       ${r.database.path} (${r.database.exists ? `schema ${r.database.schemaVersion} of ${r.database.latestSchemaVersion}` : 'not created yet'}${r.database.integrity ? `, integrity ${r.database.integrity.join('; ')}` : ''}${r.database.error ? `, error: ${r.database.error}` : ''})`,
  ];
  return lines.join('\n');
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('report what this machine can run: Electron, TF.js backends, ONNX Runtime, GPU, caches, database')
    .option('--json', 'print JSON')
    .option('--integrity', 'also run PRAGMA integrity_check on the database')
    .action((opts: { json?: boolean; integrity?: boolean }) => {
      // Doctor reads the database without creating it, so it goes straight to the service.
      const report = doctorReport({ integrity: opts.integrity });
      if (opts.json) printJson(report);
      else process.stdout.write(`${formatDoctor(report)}\n`);
    });
}
