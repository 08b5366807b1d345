// SPDX-License-Identifier: MIT
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { appRoot } from '../../platform/app-root';
import { startServer, type RunningServer } from '../../server/server';
import { forkHost } from '../../host/host-client';
import { appInfo } from '../../services/app-info';
import { AppError } from '../../shared/errors';

export function rendererDir(): string {
  return path.join(appRoot(), 'dist', 'renderer');
}

/** Best effort, like Jupyter: the URL is printed either way. */
export function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`Could not open a browser (${cmd} not found); open the URL above yourself.\n`));
    child.unref();
  } catch {
    process.stderr.write('Could not open a browser; open the URL above yourself.\n');
  }
}

export async function serveBrowserMode(opts: { port?: number; open?: boolean; json?: boolean; reason?: string }): Promise<void> {
  const staticDir = rendererDir();
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    throw new AppError('NOT_FOUND', `The app's web files are not built (${staticDir} is missing). Run \`npm run build\` first.`);
  }
  // The engine runs in its own process; this one only serves HTTP, so evaluation, export or
  // classification never hold up a page load or a call. Its events go to every connected UI.
  const host = forkHost({ mode: 'browser' });
  let server: RunningServer | undefined = undefined;
  host.onEvent((event, payload) => server?.emit(event, payload));
  server = await startServer({ api: host.callRaw, local: { 'app.info': async () => appInfo('browser') }, staticDir, port: opts.port });
  // The link is printed once the engine answers, so the first click finds a working app.
  try {
    await host.ready;
  } catch (err) {
    await server.close();
    throw err;
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ url: server.urlWithToken, port: server.port, token: server.token })}\n`);
  else {
    if (opts.reason) process.stdout.write(`${opts.reason}\n`);
    process.stdout.write(`Transfer Studio is running in browser mode. Open this link (it carries this launch's secret token):\n\n    ${server.urlWithToken}\n\nPress Ctrl+C to stop.\n`);
  }
  if (opts.open) openInBrowser(server.urlWithToken);
  const stop = () => void Promise.all([server.close(), host.close()]).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start browser mode: the app on http://127.0.0.1 with a per-launch secret token')
    .option('--port <port>', 'port to listen on (default: a random free port)', (v) => Number.parseInt(v, 10))
    .option('--no-open', 'do not open the default browser')
    .option('--json', 'print the URL and token as JSON')
    .action(async (opts: { port?: number; open: boolean; json?: boolean }) => serveBrowserMode(opts));
}
