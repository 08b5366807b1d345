// SPDX-License-Identifier: MIT
// Starts the real `transfer-studio serve` in a child process with its own data folder, and a
// headless Chromium (Debian's /usr/bin/chromium) through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Where every e2e file saves its screenshots (`<file prefix>-NN-what.png`): test-results/e2e under
 * the repository, or TS_E2E_ARTIFACTS (the wasm leg sets test-results/e2e-wasm so its run of the
 * wizard does not overwrite the main leg's). test-results/ is git-ignored and nothing in .ci/run
 * clears it, so it is what a CI host keeps as the run's artifacts.
 */
export const ARTIFACTS = path.resolve(process.env.TS_E2E_ARTIFACTS || 'test-results/e2e');

export interface ServedApp {
  url: string;
  urlWithToken: string;
  token: string;
  home: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** One contract call over browser mode's HTTP API with the launch token; a refused call throws its message. */
export async function callApi<T>(app: ServedApp, method: string, input: unknown): Promise<T> {
  const res = await fetch(new URL(`api/call/${method}`, app.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` }, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.result;
}

/** `home`: reuse a data folder (a restarted `serve` on the same database); default a fresh one. */
export async function serveApp(env: Record<string, string> = {}, opts: { home?: string } = {}): Promise<ServedApp> {
  const home = opts.home ?? mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-'));
  const child = spawn(process.execPath, ['bin/transfer-studio.mjs', 'serve', '--json', '--no-open'], {
    // HOME too: browser mode's folder browser is confined to the user's home folder.
    env: { ...process.env, HOME: home, TRANSFER_STUDIO_HOME: home, KERAS_HOME: path.join(home, 'keras'), TRANSFER_STUDIO_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return {
    url: url.replace(/\?token=.*$/, ''),
    urlWithToken: url,
    token,
    home,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}
