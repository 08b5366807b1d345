// SPDX-License-Identifier: MIT
// The Electron main process: one window, single instance, dialogs, and validated IPC to the engine,
// which runs in its own utilityProcess (engine-process.ts).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { channelOf, EVENT_CHANNEL, METHODS, type EngineHandlers } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/dispatch';
import { serializeError } from '../shared/errors';
import { addLogSink, createLogger } from '../platform/logger';
import { appInfo } from '../services/app-info';
import { startEngineProcess } from './engine-process';
import { loadWindowState, saveWindowState } from './window-state';
import { CONTENT_SECURITY_POLICY, isAllowedExternalLink, isAppUrl, secureWebPreferences } from './window-options';

const log = createLogger('main');
const here = path.dirname(fileURLToPath(import.meta.url));
const indexUrl = pathToFileURL(path.join(here, '..', 'renderer', 'index.html')).href;

if (!process.env.TRANSFER_STUDIO_HOME) process.env.TRANSFER_STUDIO_HOME = app.getPath('userData');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | undefined;
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, indexUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

    // The engine host opens the database under TRANSFER_STUDIO_HOME, set above for it to inherit.
    const engine = startEngineProcess();
    engine.onEvent((event, payload) => win?.webContents.send(EVENT_CHANNEL, event, payload));
    app.on('will-quit', () => void engine.close());
    const local: Partial<EngineHandlers> = {
      'app.info': async () => appInfo('electron'),
      // The one method only the desktop app can serve: the native folder dialog.
      'dialog.openFolder': async ({ title }) => {
        const r = await dialog.showOpenDialog(win!, { title, properties: ['openDirectory'] });
        const chosen = r.canceled ? null : (r.filePaths[0] ?? null);
        if (chosen) engine.allowRoot(chosen);
        return { path: chosen };
      },
    };
    for (const method of METHODS) {
      ipcMain.handle(channelOf(method), async (event, input: unknown) => {
        // Only our own page may call the engine.
        if (!event.senderFrame || !isAppUrl(event.senderFrame.url, indexUrl)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Unknown sender' } };
        try {
          const result = local[method] ? await dispatch(local as EngineHandlers, method, input) : await engine.callRaw(method, input);
          return { ok: true, result };
        } catch (err) {
          return { ok: false, error: serializeError(err) };
        }
      });
    }

    const stateFile = path.join(process.env.TRANSFER_STUDIO_HOME!, 'window-state.json');
    const state = loadWindowState(stateFile);
    win = new BrowserWindow({
      width: state.width,
      height: state.height,
      ...(state.x !== undefined ? { x: state.x, y: state.y } : {}),
      title: 'Transfer Studio',
      show: false,
      webPreferences: secureWebPreferences(path.join(here, '..', 'preload', 'preload.cjs')),
    });
    addLogSink((record) => win?.webContents.send(EVENT_CHANNEL, 'log', record));
    win.once('ready-to-show', () => {
      if (state.maximized) win?.maximize();
      win?.show();
    });
    win.on('close', () => {
      if (win) saveWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
    });
    void win.loadURL(indexUrl);
    log.info(`window loaded ${indexUrl}`);
  });

  app.on('window-all-closed', () => app.quit());
}
