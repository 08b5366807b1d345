// SPDX-License-Identifier: MIT
// The TF.js backend ladder: tfjs-node-gpu -> tfjs-node -> wasm (with our training gradients) -> cpu.
// tfjs-node(-gpu) need libtensorflow, which their installers download; where that failed the
// packages are absent (npm run tensorflow:local builds tfjs-node against the tensorflow pip wheel
// instead), so every rung is probed and the first that loads wins. TS_BACKEND (auto, tensorflow-gpu,
// tensorflow, wasm, cpu) replaces 'auto' for the whole process tree, e.g. for CI's wasm leg.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import './quiet';
import { registerNativeBatchNorm } from './native-batchnorm';
import { registerNativeKernels, registerNativeRelu6 } from './native-kernels';
import { nativeStatus, preloadQuietly, probeNativeInChild, type LibTensorFlow, type NativePackage } from './native';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is not available, in words a user can act on. */
  reason?: string;
  package: string;
  /** Native rungs: the libtensorflow the binding links, and the TF_Version() it reported. */
  libtensorflow?: LibTensorFlow & { loadedVersion?: string };
  /** Native rungs: whether TensorFlow placed ops on a GPU. */
  gpuDevice?: boolean;
}

const require = createRequire(import.meta.url);

const PACKAGE_OF: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

function packagePresent(pkg: string): string | undefined {
  try {
    require.resolve(`${pkg}/package.json`);
    return undefined;
  } catch {
    return `${pkg} is not installed (its installer downloads libtensorflow, which needs internet access)`;
  }
}

/**
 * Checks which backends could load, without switching to any of them. The native bindings are
 * loaded in child processes, so this process never holds both (nor either).
 */
export function probeBackends(): BackendProbe[] {
  return BACKEND_NAMES.map((name) => {
    const pkg = PACKAGE_OF[name];
    if (name === 'cpu') return { name, available: true, package: pkg };
    const missing = packagePresent(pkg);
    if (missing) return { name, available: false, reason: missing, package: pkg };
    if (name === 'tensorflow' || name === 'tensorflow-gpu') {
      const st = nativeStatus(pkg as NativePackage);
      if (!st.binding) {
        return { name, available: false, package: pkg, reason: `${pkg} has no compiled binding (lib/napi-v*/tfjs_binding.node): its installer did not finish; run npm run tensorflow:local` };
      }
      const p = probeNativeInChild(pkg as NativePackage);
      const libtensorflow = { ...st.lib!, ...(p.tfVersion ? { loadedVersion: p.tfVersion } : {}) };
      if (!p.ok) return { name, available: false, package: pkg, libtensorflow, reason: `${pkg} failed to load: ${p.error}` };
      return { name, available: true, package: pkg, libtensorflow, gpuDevice: p.gpuDevice };
    }
    return { name, available: true, package: pkg };
  });
}

/** The TS_BACKEND override, checked: a typo fails loudly instead of silently meaning 'auto'. */
export function backendOverride(): BackendName | undefined {
  const v = process.env.TS_BACKEND?.trim();
  if (!v || v === 'auto') return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(v)) {
    throw new Error(`TS_BACKEND=${v} is not a backend (use auto, ${BACKEND_NAMES.join(', ')})`);
  }
  return v as BackendName;
}

/** The native package this process loaded; the other one must then never load. */
let nativeLoaded: NativePackage | undefined;

let active: BackendName | undefined;
let switching: Promise<BackendName> | undefined;

/**
 * Selects the best available backend (or `preferred`) and returns its name.
 * Idempotent: a second call with the same preference is free.
 */
export async function initBackend(preferred?: BackendName | 'auto'): Promise<BackendName> {
  const wanted = preferred && preferred !== 'auto' ? preferred : backendOverride();
  if (active && (!wanted || wanted === active)) return active;
  // Calls that overlap (an evaluation and a classification started together in the engine host)
  // wait for the switch in flight instead of starting a second one.
  if (switching) {
    await switching.catch(() => undefined);
    return initBackend(preferred);
  }
  switching = switchBackend(wanted);
  try {
    return await switching;
  } finally {
    switching = undefined;
  }
}

/**
 * Resolves when no backend switch is in flight. Code that runs on whatever backend is current
 * waits here, because tfjs refuses every op while a registered backend is still initialising.
 */
export async function backendSettled(): Promise<void> {
  await switching?.catch(() => undefined);
}

async function switchBackend(wanted: BackendName | undefined): Promise<BackendName> {
  const ladder = wanted ? [wanted] : BACKEND_NAMES;
  const failures: string[] = [];
  for (const name of ladder) {
    try {
      if (await activate(name)) {
        active = name;
        return name;
      }
      failures.push(`${name}: did not register`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be started (${failures.join('; ')})`);
}

async function activate(name: BackendName): Promise<boolean> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = PACKAGE_OF[name] as NativePackage;
      if (nativeLoaded && nativeLoaded !== pkg) {
        throw new Error(`${nativeLoaded} is already loaded in this process; ${pkg} cannot load beside it (both register the 'tensorflow' backend)`);
      }
      const st = nativeStatus(pkg);
      if (!st.installed) return false;
      // Requiring a package whose binding is missing registers its kernels before it throws, which
      // would leave half a 'tensorflow' backend behind for the next rung.
      if (!st.binding) throw new Error(`${pkg} has no compiled binding; run npm run tensorflow:local`);
      preloadQuietly(pkg);
      require(pkg);
      nativeLoaded = pkg;
      registerNativeKernels();
      registerNativeBatchNorm();
      registerNativeRelu6();
      return tf.setBackend('tensorflow');
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const { registerWasmTrainingKernels } = await import('./wasm-training');
      // A bundle moves this code away from the package, so the loader is pointed at the package's
      // own .wasm files. Node gets the SIMD build, single-threaded: tfjs-backend-wasm 4.22 turns
      // threads off under Node (tfjs#3830) and its pthread workers are blob: URLs Node cannot load.
      wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
      registerWasmTrainingKernels();
      const ok = await tf.setBackend('wasm');
      if (ok) await tf.ready();
      return ok;
    }
    case 'cpu':
      return tf.setBackend('cpu');
  }
}

export function activeBackend(): BackendName | undefined {
  return active;
}

/**
 * Production mode for TF.js: no "install tfjs-node" banner on stderr (we report backends in
 * `doctor` instead) and no debug-mode checks. Called once by each entry point (CLI, server, main).
 */
export function useProductionTf(): void {
  tf.env().set('PROD', true);
}
