// SPDX-License-Identifier: MIT
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToHost } from '../shared/ipc/host-protocol';
import { connectHost, forkHost, type EngineHost, type HostChannel } from './host-client';

/** A channel whose "host" is this test: it records what the client sends and replies by hand. */
function fakeChannel() {
  const sent: ToHost[] = [];
  let deliver: (raw: unknown) => void = () => undefined;
  let exit: (code: number | null) => void = () => undefined;
  const channel: HostChannel = {
    post: (m) => void sent.push(m),
    onMessage: (l) => void (deliver = l),
    onExit: (l) => void (exit = l),
    kill: () => exit(null),
  };
  return { channel, sent, deliver: (raw: unknown) => deliver(raw), exit: (code: number | null) => exit(code) };
}

describe('connectHost (validation at the boundary)', () => {
  it('queues calls until the host is ready, then checks results against the contract', async () => {
    const fake = fakeChannel();
    const host = connectHost(() => fake.channel);
    const info = host.call('app.info', {});
    expect(fake.sent).toEqual([]);
    fake.deliver({ t: 'ready', pid: 4242 });
    expect(fake.sent).toEqual([{ t: 'call', id: 1, method: 'app.info', input: {} }]);
    fake.deliver({ t: 'result', id: 1, result: { name: 'x', version: '1', mode: 'browser', steps: [] } });
    await expect(info).resolves.toEqual({ name: 'x', version: '1', mode: 'browser', steps: [] });
    expect((await host.ready).pid).toBe(4242);

    const bad = host.call('app.info', {});
    fake.deliver({ t: 'result', id: 2, result: { name: 3 } });
    await expect(bad).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('invalid result for app.info') });

    const failed = host.call('projects.list', {});
    fake.deliver({ t: 'error', id: 3, error: { code: 'NOT_FOUND', message: 'gone' } });
    await expect(failed).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'gone' });
  });

  it('refuses unknown methods before they cross, and drops malformed messages and events', async () => {
    const fake = fakeChannel();
    const host = connectHost(() => fake.channel);
    fake.deliver({ t: 'ready', pid: 1 });
    await expect(host.callRaw('fs.rm', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(fake.sent).toEqual([]);
    const seen: string[] = [];
    host.onEvent((event, payload) => seen.push(`${event}:${JSON.stringify(payload)}`));
    fake.deliver({ t: 'event', event: 'job.progress', payload: { jobId: 'j', kind: 'eval', done: 1 } });
    fake.deliver({ t: 'event', event: 'job.progress', payload: { jobId: 7 } });
    fake.deliver({ t: 'event', event: 'evil', payload: {} });
    fake.deliver({ t: 'result', id: 'x' });
    fake.deliver('not an object');
    expect(seen).toEqual(['job.progress:{"jobId":"j","kind":"eval","done":1}']);
  });

  it('fails pending calls when the host dies and starts a new one', async () => {
    const fakes: ReturnType<typeof fakeChannel>[] = [];
    const host = connectHost(() => {
      const f = fakeChannel();
      fakes.push(f);
      return f.channel;
    });
    fakes[0].deliver({ t: 'ready', pid: 1 });
    const p = host.call('projects.list', {});
    fakes[0].exit(1);
    await expect(p).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('engine process stopped') });
    expect(fakes).toHaveLength(2);
  });
});

describe('forkHost (a real engine host process)', () => {
  let host: EngineHost;
  beforeAll(async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'ts-host-'));
    host = forkHost({ mode: 'browser', env: { TRANSFER_STUDIO_HOME: home, KERAS_HOME: path.join(home, 'keras') } });
    const { startMs } = await host.ready;
    process.stderr.write(`engine host (tsx, from source) ready in ${startMs} ms\n`);
  }, 60_000);
  afterAll(() => host.close());

  it('serves the contract from another process', async () => {
    expect(host.pid()).not.toBe(process.pid);
    expect((await host.call('app.info', {})).mode).toBe('browser');
    const p = await host.call('projects.create', { name: 'In the host' });
    expect((await host.call('projects.list', {})).map((x) => x.id)).toContain(p.id);
  });

  it('validates input inside the host too', async () => {
    await expect(host.callRaw('projects.create', { name: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('projects.create') });
  });

  it('confines browser-mode paths until a root is allowed', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'ts-host-root-'));
    await expect(host.call('fs.list', { path: outside })).rejects.toMatchObject({ code: 'FORBIDDEN_PATH' });
    host.allowRoot(outside);
    expect((await host.call('fs.list', { path: outside })).path).toBe(outside);
  });
});
