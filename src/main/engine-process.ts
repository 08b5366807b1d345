// SPDX-License-Identifier: MIT
// The engine host under Electron: the same host module as browser mode (src/host), started as a
// utilityProcess (VS Code keeps its extension host and shared services off the window's process
// the same way), so the main process keeps only windows, dialogs and IPC.
import { utilityProcess } from 'electron';
import { connectHost, hostEntry, type EngineHost } from '../host/host-client';

export function startEngineProcess(): EngineHost {
  return connectHost(() => {
    const entry = hostEntry();
    const child = utilityProcess.fork(entry.file, [], {
      env: { ...process.env, TRANSFER_STUDIO_HOST_MODE: 'electron' },
      execArgv: entry.execArgv,
      serviceName: 'Transfer Studio engine',
      stdio: 'inherit',
    });
    return {
      post: (msg) => child.postMessage(msg),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.once('exit', (code) => listener(code)),
      kill: () => void child.kill(),
    };
  });
}
