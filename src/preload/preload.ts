// SPDX-License-Identifier: MIT
// The bridge: named calls only, never ipcRenderer itself. Channels come from the contract's method
// list, and anything else is refused before it leaves the renderer (VS Code's validateIPC).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, EVENT_CHANNEL, isMethod } from '../shared/ipc/contract';

contextBridge.exposeInMainWorld('transferStudio', {
  invoke(method: string, input: unknown): Promise<unknown> {
    if (!isMethod(method)) return Promise.reject(new Error(`Unsupported IPC method: ${method}`));
    return ipcRenderer.invoke(channelOf(method), input);
  },
  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
});
