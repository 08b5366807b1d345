// SPDX-License-Identifier: MIT
// Electron cannot start here, so this stands in for the two Electron objects the preload touches
// and checks what it exposes: one named function per contract method, nothing generic.
import { describe, expect, it, vi } from 'vitest';
import { METHODS } from '../shared/ipc/contract';
import type { Bridge } from '../shared/ipc/bridge';

const exposed: Record<string, unknown> = {};
const invoked: [string, unknown][] = [];
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) },
  ipcRenderer: { invoke: async (channel: string, input: unknown) => (invoked.push([channel, input]), { ok: true, result: channel }), on: () => undefined, removeListener: () => undefined },
}));

describe('preload', () => {
  it('exposes exactly the contract methods by name, each on its derived channel', async () => {
    await import('./preload');
    const bridge = exposed.transferStudio as Bridge & Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['methods', 'onEvent']);
    expect('invoke' in bridge).toBe(false);
    expect(Object.keys(bridge.methods).sort()).toEqual([...METHODS].sort());
    await expect(bridge.methods['app.info']({})).resolves.toEqual({ ok: true, result: 'engine:app.info' });
    await bridge.methods['jobs.cancel']({ kind: 'eval', jobId: 'x' });
    expect(invoked).toEqual([['engine:app.info', {}], ['engine:jobs.cancel', { kind: 'eval', jobId: 'x' }]]);
  });
});
