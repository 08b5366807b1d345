// SPDX-License-Identifier: MIT
// The bridge: one named function per contract method (built from the contract's method list, so
// a method added there appears here with nothing typed by hand), never ipcRenderer itself and no
// generic invoke: the page can reach exactly the channels the contract derives (VS Code's validateIPC).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, EVENT_CHANNEL, METHODS } from '../shared/ipc/contract';
import type { Bridge, BridgeMethods } from '../shared/ipc/bridge';

const methods = Object.fromEntries(METHODS.map((method) => [method, (input: unknown) => ipcRenderer.invoke(channelOf(method), input)])) as BridgeMethods;

const bridge: Bridge = {
  methods,
  onEvent(listener) {
    const wrapped = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('transferStudio', bridge);
