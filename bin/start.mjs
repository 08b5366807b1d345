#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm start`: build, then open the desktop app when Electron's binary is installed; otherwise
// open browser mode and say why. Electron's binary comes from a download outside the npm
// registry; where npm skipped that step, one attempt is made here (it needs internet access).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const buildMain = spawnSync(process.execPath, [path.join(root, 'scripts/build-main.mjs')], { cwd: root, stdio: 'inherit' });
if (buildMain.status !== 0) process.exit(buildMain.status ?? 1);

function electronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed (npm could not download its binary)' };
  }
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) {
    if (!process.env.TRANSFER_STUDIO_NO_ELECTRON_DOWNLOAD) {
      process.stdout.write('Electron binary missing; trying to download it once (needs internet access)…\n');
      const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'], timeout: 180_000, encoding: 'utf8' });
      if (r.status === 0 && existsSync(pathTxt)) return { bin: path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim()) };
      const firstLine = (r.stderr || r.error?.message || '').split('\n').find((l) => l.trim()) ?? 'unknown error';
      return { reason: `the Electron binary is not installed and its download failed (${firstLine.trim()})` };
    }
    return { reason: 'the Electron binary is not installed (TRANSFER_STUDIO_NO_ELECTRON_DOWNLOAD is set)' };
  }
  const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? { bin } : { reason: `the Electron binary ${bin} is missing` };
}

const electron = process.env.TRANSFER_STUDIO_BROWSER ? { reason: 'TRANSFER_STUDIO_BROWSER is set' } : electronBinary();
if (electron.bin && (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) {
  const child = spawn(electron.bin, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = electron.bin ? 'no display is available (DISPLAY and WAYLAND_DISPLAY are unset)' : electron.reason;
  process.stdout.write(`Not starting the desktop window: ${why}.\nStarting browser mode instead.\n\n`);
  const child = spawn(process.execPath, [path.join(root, 'bin/transfer-studio.mjs'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
