// SPDX-License-Identifier: MIT
// What the native rungs (tfjs-node-gpu, tfjs-node) would load, found without loading them here:
// both packages register kernels under the one backend name 'tensorflow' and each links its own
// libtensorflow, so a process must load at most one of them. Doctor loads each in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export type NativePackage = '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

export interface LibTensorFlow {
  /** 'official': the libtensorflow tarball tfjs-node's installer downloaded; 'local-wheel': npm run tensorflow:local. */
  source: 'official' | 'local-wheel' | 'unknown';
  /** Version of the linked library (the wheel's version, or the tarball's pinned one). */
  version?: string;
  /** The library file the binding links (symlinks resolved). */
  path?: string;
  /** For local-wheel builds: the Python whose tensorflow wheel provides the library. */
  python?: string;
}

export interface NativeStatus {
  package: NativePackage;
  installed: boolean;
  version?: string;
  /** The compiled binding, when present. */
  binding?: string;
  lib?: LibTensorFlow;
}

/** Start-up logging of TensorFlow's C++ runtime (oneDNN, cpu_feature_guard, absl) stays off the terminal. */
export function quietNativeLogs(): void {
  // Read by libtensorflow through getenv() when it first logs; a worker thread's process.env is a
  // copy that never reaches getenv(), so every entry's main thread calls this before any load.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  process.env.TF_CPP_MIN_VLOG_LEVEL ??= '0';
}

function packageDir(pkg: NativePackage): string | undefined {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/** The compiled addon: lib/napi-v<N>/tfjs_binding.node (node-pre-gyp's layout; the highest N wins). */
export function bindingFile(dir: string): string | undefined {
  const lib = path.join(dir, 'lib');
  if (!existsSync(lib)) return undefined;
  const found = readdirSync(lib)
    .filter((d) => /^napi-v\d+$/.test(d) && existsSync(path.join(lib, d, 'tfjs_binding.node')))
    .sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  return found[0] ? path.join(lib, found[0], 'tfjs_binding.node') : undefined;
}

function libraryOf(dir: string): LibTensorFlow {
  const marker = path.join(dir, 'deps', 'local-wheel.json');
  const real = (f: string) => (existsSync(f) ? realpathSync(f) : undefined);
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { tensorflowVersion?: string; python?: string };
    return { source: 'local-wheel', version: m.tensorflowVersion, path: real(path.join(dir, 'deps', 'lib', 'libtensorflow_cc.so.2')), python: m.python };
  }
  let version: string | undefined;
  try {
    version = /LIBTENSORFLOW_VERSION\s*=\s*'([^']+)'/.exec(readFileSync(path.join(dir, 'scripts', 'deps-constants.js'), 'utf8'))?.[1];
  } catch { /* an unusual package layout: version unknown */ }
  const lib = ['libtensorflow.so.2', 'libtensorflow.so', 'libtensorflow.2.dylib', 'tensorflow.dll'].map((f) => path.join(dir, 'deps', 'lib', f)).find(existsSync);
  return { source: lib ? 'official' : 'unknown', version, path: lib && real(lib) };
}

export function nativeStatus(pkg: NativePackage): NativeStatus {
  const dir = packageDir(pkg);
  if (!dir) return { package: pkg, installed: false };
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { package: pkg, installed: true, version, binding: bindingFile(dir), lib: libraryOf(dir) };
}

export interface LoadProbe {
  ok: boolean;
  /** TF_Version() of the loaded library. */
  tfVersion?: string;
  gpuDevice?: boolean;
  error?: string;
}

/** Loads the package in a child process and runs one op: the real test, with nothing loaded here. */
export function probeNativeInChild(pkg: NativePackage): LoadProbe {
  const code = `const tf=require(${JSON.stringify(pkg)});const b=tf.backend();` +
    `const v=tf.matMul(tf.tensor2d([1,2,3,4],[2,2]),tf.eye(2)).dataSync();` +
    `process.stdout.write(JSON.stringify({ok:tf.getBackend()==='tensorflow'&&v[3]===4,tfVersion:b.binding.TF_Version,gpuDevice:!!b.isUsingGpuDevice}))`;
  const r = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    cwd: path.dirname(packageDir(pkg) ?? '.'),
    timeout: 60_000,
    // Electron's binary runs plain Node with this set; a plain node ignores it.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  if (r.status !== 0) {
    const lines = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
    const why = lines.find((l) => /Error|error:|cannot open/.test(l)) ?? lines[0] ?? `exit ${r.status ?? r.signal}`;
    return { ok: false, error: why };
  }
  try {
    return JSON.parse(r.stdout) as LoadProbe;
  } catch {
    return { ok: false, error: `unexpected output: ${r.stdout.slice(0, 200)}` };
  }
}

/** What libtensorflow 2.9 (tfjs-node-gpu 4.x) needs from the machine, against what it has. */
export function gpuRequirements(): { needs: string; has: string; usable: boolean } {
  const needs = 'NVIDIA driver, CUDA 11.2 runtime (libcudart.so.11.0) and cuDNN 8.1 (libcudnn.so.8), as libtensorflow 2.9 GPU is built for';
  if (process.platform !== 'linux') return { needs, has: `not checked on ${process.platform}`, usable: false };
  const driver = existsSync('/proc/driver/nvidia/version');
  let libs = '';
  const r = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (r.status === 0) libs = r.stdout;
  const found = (re: RegExp) => [...new Set([...libs.matchAll(re)].map((m) => m[1]))];
  const cudart = found(/(libcudart\.so\.[\d.]+)/g);
  const cudnn = found(/(libcudnn\.so\.[\d.]+)/g);
  const has = [
    driver ? 'NVIDIA driver present' : 'no NVIDIA driver (/proc/driver/nvidia absent)',
    cudart.length ? `CUDA runtime ${cudart.join(', ')}` : 'no CUDA runtime in the linker cache',
    cudnn.length ? `cuDNN ${cudnn.join(', ')}` : 'no cuDNN in the linker cache',
  ].join('; ');
  return { needs, has, usable: driver && cudart.includes('libcudart.so.11.0') && cudnn.some((c) => c.startsWith('libcudnn.so.8')) };
}

/**
 * Loads the package's libtensorflow with stderr muted when the package carries the quiet loader
 * (local-wheel builds: TensorFlow 2.21 logs from static initializers, ignoring TF_CPP_MIN_LOG_LEVEL).
 * The official libtensorflow 2.9 honours TF_CPP_MIN_LOG_LEVEL and needs nothing.
 */
export function preloadQuietly(pkg: NativePackage): void {
  const dir = packageDir(pkg);
  if (!dir || process.platform !== 'linux') return;
  const loader = path.join(dir, 'deps', 'quiet_load.node');
  const lib = path.join(dir, 'deps', 'lib', 'libtensorflow_cc.so.2');
  if (!existsSync(loader) || !existsSync(lib)) return;
  const err = (require(loader) as { load: (p: string) => string | undefined }).load(lib);
  if (err) throw new Error(`${pkg}: libtensorflow did not load: ${err}`);
}
