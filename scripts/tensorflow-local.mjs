#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// npm run tensorflow:local — gives this checkout the native TF.js engine (@tensorflow/tfjs-node)
// without internet: the binding is built against the TensorFlow C API that the tensorflow pip
// wheel carries (libtensorflow_cc.so.2 + include/), instead of the libtensorflow tarball that
// tfjs-node's own installer downloads (and that fails offline, so npm drops the package).
//
//   npm run tensorflow:local             install (idempotent: a second run only checks)
//   npm run tensorflow:local -- --remove undo (only what this script installed)
//   TS_TENSORFLOW_PYTHON=/path/to/python npm run tensorflow:local   use that Python's tensorflow wheel
//
// Default Python: the project's .venv (created by scripts/python-env.sh when missing).
// Where tfjs-node's own installer succeeded, the package is left exactly as npm installed it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PKG = '@tensorflow/tfjs-node';
const pkgDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
/** Written by this script only; its presence is what tells "ours" from "npm's". */
const MARKER = path.join(pkgDir, 'deps', 'local-wheel.json');
const BINDING = path.join(pkgDir, 'lib', 'napi-v8', 'tfjs_binding.node');
/** Loads libtensorflow with stderr muted (scripts/native/quiet_load.c); src/engine/backend/native.ts uses it. */
const QUIET = path.join(pkgDir, 'deps', 'quiet_load.node');
const started = Date.now();

function log(msg) {
  console.log(`tensorflow:local: ${msg}`);
}
function fail(msg) {
  console.error(`tensorflow:local: ${msg}`);
  process.exit(1);
}
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The tfjs-node version package.json pins: the binding must match the tfjs-core it registers with. */
function wantedVersion() {
  const pkg = readJson(path.join(root, 'package.json'));
  const v = pkg.optionalDependencies?.[PKG] ?? pkg.dependencies?.[PKG];
  if (!v) fail(`package.json does not list ${PKG}`);
  return v.replace(/^[\^~=]/, '');
}

/** Loads the binding in a child process (never in this one) and returns its report, or the error. */
function probe() {
  const code = `process.env.TF_CPP_MIN_LOG_LEVEL='3';const tf=require(${JSON.stringify(PKG)});` +
    `const s=tf.tensor([1,2,3,4],[2,2]);const v=Array.from(tf.matMul(s,s).dataSync());` +
    `console.log(JSON.stringify({backend:tf.getBackend(),tf:tf.version.tfjs,lib:tf.version['tfjs-node'],v}))`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  if (r.status !== 0) return { ok: false, error: (r.stderr || r.stdout).trim().split('\n').slice(0, 6).join('\n') };
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  const ok = out.backend === 'tensorflow' && out.v.join(',') === '7,10,15,22';
  return { ok, out, error: ok ? undefined : `unexpected result ${r.stdout.trim()}` };
}

/** The tensorflow wheel of the chosen Python: version and the directory holding the C API. */
function findWheel() {
  let python = process.env.TS_TENSORFLOW_PYTHON;
  if (!python) {
    python = path.join(root, '.venv', 'bin', 'python');
    if (!existsSync(python)) {
      log('no .venv yet; creating it with scripts/python-env.sh');
      const r = spawnSync('bash', [path.join(root, 'scripts', 'python-env.sh')], { stdio: 'inherit', cwd: root });
      if (r.status !== 0) fail('scripts/python-env.sh failed; fix it or name a Python with TensorFlow in TS_TENSORFLOW_PYTHON');
    }
  }
  // find_spec + metadata instead of `import tensorflow`: seconds faster and no start-up banners.
  const code = 'import importlib.util as u, importlib.metadata as m, json, os\n' +
    's = u.find_spec("tensorflow")\n' +
    'v = None\n' +
    'for d in ("tensorflow-cpu", "tensorflow", "tensorflow-gpu", "tensorflow-intel"):\n' +
    '    try:\n        v = m.version(d); break\n    except m.PackageNotFoundError: pass\n' +
    'print(json.dumps({"dir": os.path.dirname(s.origin) if s and s.origin else None, "version": v, "dist": d}))';
  let info;
  try {
    info = JSON.parse(execFileSync(python, ['-c', code], { encoding: 'utf8' }).trim());
  } catch (err) {
    fail(`could not run ${python}: ${err.message.split('\n')[0]}`);
  }
  if (!info.dir) fail(`${python} has no tensorflow package (pip install tensorflow-cpu, or set TS_TENSORFLOW_PYTHON)`);
  const need = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', 'include/tensorflow/c/c_api.h', 'include/tensorflow/c/eager/c_api.h'];
  const missing = need.filter((f) => !existsSync(path.join(info.dir, f)));
  if (missing.length) fail(`the tensorflow wheel in ${info.dir} lacks ${missing.join(', ')} (Linux x86-64/arm64 wheels carry them)`);
  return { python, ...info };
}

function npmCli() {
  // npm run sets npm_execpath; otherwise find npm next to this node.
  const cli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
    ? process.env.npm_execpath
    : path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (!existsSync(cli)) fail(`npm's CLI not found at ${cli}`);
  return cli;
}
function npm(args, opts = {}) {
  return execFileSync(process.execPath, [npmCli(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** The package without its installer: npm pack + extract, its runtime deps nested inside it. */
function fetchPackage(version, staging) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'tfjs-node-'));
  try {
    log(`fetching ${PKG}@${version} (npm pack; its installer is not run)`);
    const tgz = npm(['pack', `${PKG}@${version}`, '--pack-destination', tmp, '--silent'], { cwd: tmp }).trim().split('\n').pop();
    mkdirSync(staging, { recursive: true });
    execFileSync('tar', ['xzf', path.join(tmp, tgz), '-C', staging, '--strip-components=1']);
    const deps = { ...readJson(path.join(staging, 'package.json')).dependencies };
    // @tensorflow/tfjs must stay the project's own copy: a nested one would be a second engine.
    delete deps['@tensorflow/tfjs'];
    const depDir = path.join(tmp, 'deps');
    mkdirSync(depDir);
    writeFileSync(path.join(depDir, 'package.json'), JSON.stringify({ name: 'tfjs-node-deps', private: true, dependencies: deps }));
    npm(['install', '--ignore-scripts', '--no-package-lock', '--no-audit', '--no-fund', '--omit=dev', '--silent'], { cwd: depDir });
    renameSync(path.join(depDir, 'node_modules'), path.join(staging, 'node_modules'));
  } catch (err) {
    fail(`could not fetch ${PKG}@${version} from the npm registry: ${(err.stderr || err.message).toString().trim().split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** deps/include = the wheel's headers, deps/lib = its libraries under the names binding.gyp links. */
function layDeps(dir, wheel) {
  const deps = path.join(dir, 'deps');
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(path.join(deps, 'lib'), { recursive: true });
  symlinkSync(path.join(wheel.dir, 'include'), path.join(deps, 'include'));
  const lib = (name, target) => symlinkSync(path.join(wheel.dir, target), path.join(deps, 'lib', name));
  // -ltensorflow finds libtensorflow.so; the binding then records the SONAME, libtensorflow_cc.so.2.
  lib('libtensorflow_cc.so.2', 'libtensorflow_cc.so.2');
  lib('libtensorflow.so.2', 'libtensorflow_cc.so.2');
  lib('libtensorflow.so', 'libtensorflow_cc.so.2');
  lib('libtensorflow_framework.so.2', 'libtensorflow_framework.so.2');
  lib('libtensorflow_framework.so', 'libtensorflow_framework.so.2');
}

function nodeDir() {
  let nodedir = '';
  try {
    nodedir = npm(['config', 'get', 'nodedir']).trim();
  } catch { /* unset */ }
  if (!nodedir || nodedir === 'undefined' || !existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
    nodedir = path.resolve(path.dirname(process.execPath), '..');
  }
  if (!existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
    fail(`Node's headers are not in ${nodedir}/include/node (Debian: apt-get install libnode-dev, or npm config set nodedir DIR)`);
  }
  return nodedir;
}

/** TensorFlow 2.21 logs from its static initializers; this addon loads it with stderr muted. */
function buildQuietLoader(dir) {
  const cc = process.env.CC || 'cc';
  const out = path.join(dir, 'deps', 'quiet_load.node');
  const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', `-I${path.join(nodeDir(), 'include', 'node')}`, path.join(root, 'scripts', 'native', 'quiet_load.c'), '-o', out, '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) fail(`${cc} could not build the quiet loader: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
}

/** npm's bundled node-gyp with npm's nodedir (Node's own headers): nothing is downloaded. */
function build(dir) {
  const gyp = path.join(path.dirname(npmCli()), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(gyp)) fail(`npm's node-gyp not found at ${gyp}`);
  const nodedir = nodeDir();
  log(`building the binding (node-gyp, nodedir ${nodedir}; 10 s to 2 min)`);
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, `--jobs=${cpus().length}`,
    '--module_name=tfjs_binding', `--module_path=${path.join(dir, 'lib', 'napi-v8')}`, '--napi_build_version=8'],
  { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    fail(`node-gyp failed (exit ${r.status}):\n${(r.stderr + r.stdout).trim().split('\n').slice(-25).join('\n')}`);
  }
  rmSync(path.join(dir, 'build'), { recursive: true, force: true });
}

function remove() {
  if (!existsSync(pkgDir)) return log(`${PKG} is not installed; nothing to remove`);
  if (!existsSync(MARKER)) fail(`${PKG} was installed by npm, not by this script; leaving it (npm uninstall removes it)`);
  rmSync(pkgDir, { recursive: true, force: true });
  log(`removed ${path.relative(root, pkgDir)}`);
}

function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--remove');
  if (unknown.length) fail(`unknown argument ${unknown[0]} (usage: tensorflow-local.mjs [--remove])`);
  if (args.includes('--remove')) return remove();
  if (process.platform !== 'linux') fail(`only Linux is supported (the ${process.platform} wheel ships a different library layout); use tfjs-node's own installer`);

  const version = wantedVersion();
  const wheel = findWheel();
  if (existsSync(pkgDir)) {
    const ours = existsSync(MARKER) ? readJson(MARKER) : undefined;
    const p = probe();
    if (!ours && p.ok) return log(`${PKG} from npm's own installer loads (official libtensorflow); leaving it`);
    if (ours && p.ok && !existsSync(QUIET)) {
      buildQuietLoader(pkgDir);
      return log(`ready: added the quiet loader to ${PKG}@${version} on TensorFlow ${wheel.version}`);
    }
    if (ours && p.ok && ours.tensorflowVersion === wheel.version && ours.wheelDir === wheel.dir && ours.node === process.versions.modules) {
      return log(`ready: ${PKG}@${version} on TensorFlow ${wheel.version} from ${wheel.dir} (checked in ${Date.now() - started} ms)`);
    }
    if (!ours) fail(`${PKG} is installed by npm but does not load:\n${p.error}\nRemove it (rm -rf ${path.relative(root, pkgDir)}) and rerun to build it from the wheel.`);
    log(`rebuilding: ${p.ok ? 'the TensorFlow wheel or Node changed' : `the binding does not load (${p.error.split('\n')[0]})`}`);
  }

  // Built beside the final place, then renamed in: an interrupted run never leaves a half package.
  const staging = path.join(root, 'node_modules', '@tensorflow', `.tfjs-node-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    if (existsSync(pkgDir) && existsSync(MARKER)) renameSync(pkgDir, staging);
    else fetchPackage(version, staging);
    layDeps(staging, wheel);
    build(staging);
    buildQuietLoader(staging);
    if (!existsSync(path.join(staging, 'lib', 'napi-v8', 'tfjs_binding.node'))) fail('node-gyp finished but lib/napi-v8/tfjs_binding.node is missing');
    writeFileSync(path.join(staging, 'deps', 'local-wheel.json'), JSON.stringify({
      source: 'local-wheel', python: wheel.python, tensorflowVersion: wheel.version, distribution: wheel.dist,
      wheelDir: wheel.dir, node: process.versions.modules, builtAt: new Date().toISOString(),
    }, null, 2) + '\n');
    rmSync(pkgDir, { recursive: true, force: true });
    renameSync(staging, pkgDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const p = probe();
  if (!p.ok) fail(`built ${path.relative(root, BINDING)} but it does not load:\n${p.error}`);
  log(`ready: ${PKG}@${version} on TensorFlow ${wheel.version} (${wheel.dir}) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
