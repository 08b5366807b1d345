// SPDX-License-Identifier: MIT
// The training package's train.py, run for real with Keras 3 + TensorFlow CPU on a package exported
// from a real (tiny) run: MirroredStrategy with both phases, then MultiWorkerMirroredStrategy with
// two worker processes on 127.0.0.1 (TF_CONFIG), one of them SIGKILLed mid-epoch and the job
// restarted, which must resume from the BackupAndRestore backup and finish.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyDataset } from '../fixtures/images';
import { projectPython, pythonMissing, REPO_ROOT, runPython } from '../python';

type Event = Record<string, unknown> & { event: string };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-package-'));
const data = path.join(tmp, 'data');
const pkg = path.join(tmp, 'package');
const bin = path.join(REPO_ROOT, 'bin', 'transfer-studio.mjs');
const cliEnv = { ...process.env, TRANSFER_STUDIO_HOME: path.join(tmp, 'home') };
const pyEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '', PYTHONUNBUFFERED: '1' };

const events = (out: string): Event[] => out.split('\n').filter((l) => l.startsWith('{"event"')).map((l) => JSON.parse(l) as Event);

function cli(args: string[], timeout = 360_000): string {
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { env: cliEnv, encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`transfer-studio ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  return r.stdout;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

interface Worker {
  child: ChildProcess;
  out: string;
  err: string;
  done: Promise<number | null>;
}

function startWorker(args: string[], tfConfig?: object): Worker {
  const python = projectPython().python!;
  const env = tfConfig ? { ...pyEnv, TF_CONFIG: JSON.stringify(tfConfig) } : pyEnv;
  const child = spawn(python, [path.join(pkg, 'train.py'), '--data-root', data, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const w: Worker = { child, out: '', err: '', done: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (b: Buffer) => (w.out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (w.err += b.toString()));
  return w;
}

async function cluster(args: string[]): Promise<Worker[]> {
  const ports = await freePorts(2);
  const workers = ports.map((p) => `127.0.0.1:${p}`);
  return [0, 1].map((index) => startWorker(args, { cluster: { worker: workers }, task: { type: 'worker', index } }));
}

async function waitFor(w: Worker, test: (e: Event[]) => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!test(events(w.out))) {
    if (w.child.exitCode !== null) throw new Error(`worker exited (${w.child.exitCode}) before the awaited event: ${w.err.slice(-3000)}`);
    if (Date.now() - t0 > ms) throw new Error(`no awaited event after ${ms} ms: ${w.out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const layersIn = (blocks: { layers: string[] }[]) => blocks.reduce((n, b) => n + b.layers.length, 0);
let manifest: { labels: string[]; recipe: { blocks: { name: string; layers: string[] }[]; fineTuneBlocks: number; batch: number } };

describe.skipIf(pythonMissing())('training package: train.py with tf.distribute', () => {
  beforeAll(async () => {
    await writeTinyDataset(data, { counts: { red: 12, green: 12, blue: 12 }, size: 32 });
    // A real run: nsfwjs MobileNetV2 at 32 px, 2 head epochs + 1 fine-tuning epoch, default augmentation.
    const train = cli(['train', '--data', data, '--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--image-size', '32', '--batch', '8', '--epochs', '2', '--fine-tune-epochs', '1', '--fine-tune-blocks', '2', '--balanced', '--label-smoothing', '0.1']);
    const result = JSON.parse(train.trim().split('\n').at(-1)!) as { runId: number; status: string };
    expect(result.status).toBe('completed');
    cli(['export', String(result.runId), '--format', 'package', '--out', pkg]);
    manifest = JSON.parse(readFileSync(path.join(pkg, 'manifest.json'), 'utf8'));
  }, 420_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('carries the run recipe into manifest.json', () => {
    const r = manifest.recipe as unknown as Record<string, unknown>;
    expect(r.phases).toEqual([{ phase: 1, epochs: 2, lr: 0.001 }, { phase: 2, epochs: 1, lr: 0.0001 }]);
    expect(r.fineTuneBlocks).toBe(2);
    expect(r.freezeUntil).toBe('all');
    expect(r.bnInference).toBe(true);
    expect(r.classWeights).toBe('balanced');
    expect(r.labelSmoothing).toBe(0.1);
    expect(r.augment).toMatchObject({ flipHorizontal: true, rotation: 10, brightness: 0.1, contrast: 0.1 });
    expect(manifest.recipe.blocks).toHaveLength(19);
  });

  it('trains both phases under MirroredStrategy and writes trained.keras, trained.weights.h5 and a manifest Keras agrees with', async () => {
    const out = path.join(tmp, 'out-mirrored');
    const w = startWorker(['--epochs', '1', '--fine-tune-epochs', '1', '--out', out]);
    expect(await w.done, w.err.slice(-4000)).toBe(0);
    const ev = events(w.out);
    expect(ev.find((e) => e.event === 'start')).toMatchObject({ strategy: 'MirroredStrategy', replicas: 1, workers: 1, train: 27, validation: 6 });
    // model.keras loads in Keras as exported (no rewrite of an old package's config).
    expect(ev.filter((e) => e.event === 'note')).toEqual([]);
    const phases = ev.filter((e) => e.event === 'phase');
    const blocks = manifest.recipe.blocks;
    // Phase 1: every backbone layer frozen; phase 2: all but the top 2 blocks, at lr × 0.1.
    expect(phases.map((p) => [p.phase, p.lr, p.frozen_layers])).toEqual([
      [1, 0.001, layersIn(blocks)],
      [2, 0.0001, layersIn(blocks.slice(0, blocks.length - 2))],
    ]);
    expect((phases[1].trainable_params as number) > (phases[0].trainable_params as number)).toBe(true);
    expect(ev.filter((e) => e.event === 'epoch').map((e) => [e.phase, e.epoch])).toEqual([[1, 1], [2, 1]]);
    // 27 images at batch 8: 4 steps an epoch.
    expect(ev.filter((e) => e.event === 'batch' && e.phase === 1)).toHaveLength(4);
    const result = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(result).toMatchObject({ format: 'transfer-studio.package-result', labels: ['blue', 'green', 'red'], inputSize: 32, strategy: 'MirroredStrategy' });
    const check = runPython(
      `import sys, hashlib, numpy as np, keras
m = keras.saving.load_model(sys.argv[1] + '/trained.keras')
w = keras.models.clone_model(m); w.load_weights(sys.argv[1] + '/trained.weights.h5')
x = np.random.default_rng(0).uniform(0, 1, (4, 32, 32, 3)).astype('float32')
a, b = m.predict(x, verbose=0), w.predict(x, verbose=0)
print(m.output_shape[-1], float(np.abs(a - b).max()), float(np.abs(a.sum(1) - 1).max()), hashlib.sha256(open(sys.argv[1] + '/trained.keras', 'rb').read()).hexdigest())`,
      [out],
    ).trim().split(' ');
    expect(Number(check[0])).toBe(3);
    expect(Number(check[1])).toBe(0);
    expect(Number(check[2])).toBeLessThan(1e-5);
    expect(check[3]).toBe(result.files['trained.keras']);
  }, 300_000);

  it('comes back as a run (runs import) scored on the original test split as Keras scores it', () => {
    const out = path.join(tmp, 'out-mirrored');
    const r = JSON.parse(cli(['runs', 'import', out])) as { runId: number; sourceRunId: number; split: string; file: string; evaluation: { n: number; accuracy: number; logLoss: number } };
    expect(r.split).toBe('test');
    expect(r.file).toBe(path.join(out, 'trained.keras'));
    const test = (manifest as unknown as { images: { path: string; label: string; split: string }[] }).images.filter((i) => i.split === 'test');
    expect(r.evaluation.n).toBe(test.length);
    // Keras on the same images (32 px files, no resize; 'unit' preprocessing: x / 255).
    const keras = runPython(
      `import sys, json, numpy as np, keras
from PIL import Image
m = keras.saving.load_model(sys.argv[1])
items = json.loads(sys.argv[3]); labels = json.loads(sys.argv[4])
x = np.stack([np.asarray(Image.open(sys.argv[2] + '/' + it['path']).convert('RGB'), dtype='float32') / 255 for it in items])
p = m.predict(x, verbose=0); y = np.array([labels.index(it['label']) for it in items])
print(json.dumps({'acc': float((p.argmax(1) == y).mean()), 'logLoss': float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1 - 1e-7)).mean())}))`,
      [path.join(out, 'trained.keras'), data, JSON.stringify(test), JSON.stringify(manifest.labels)],
    );
    const k = JSON.parse(keras.trim().split('\n').at(-1)!) as { acc: number; logLoss: number };
    expect(r.evaluation.accuracy).toBe(k.acc);
    expect(Math.abs(r.evaluation.logLoss - k.logLoss)).toBeLessThan(1e-4);
    const runs = JSON.parse(cli(['runs'])) as { id: number; sourceRunId?: number | null; status: string; backend: string | null }[];
    expect(runs.find((x) => x.id === r.runId)).toMatchObject({ sourceRunId: r.sourceRunId, status: 'completed', backend: 'tensorflow (training package)' });
    expect(runs.some((x) => x.id === r.sourceRunId)).toBe(true);
    // A result changed after train.py wrote it is refused, naming the file.
    const bad = path.join(tmp, 'out-tampered');
    cpSync(out, bad, { recursive: true });
    const weights = path.join(bad, 'trained.keras');
    writeFileSync(weights, readFileSync(weights).subarray(0, 1000));
    const refused = spawnSync(process.execPath, [bin, 'runs', 'import', bad, '--json'], { env: cliEnv, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(`${weights} does not match the sha256`);
  }, 120_000);

  it('trains with two MultiWorkerMirroredStrategy workers; a worker SIGKILLed mid-epoch resumes from BackupAndRestore', async () => {
    const out = path.join(tmp, 'out-multi');
    const args = ['--epochs', '2', '--fine-tune-epochs', '0', '--out', out];
    const first = await cluster(args);
    try {
      // Kill worker 1 once it is inside epoch 2: epoch 1 is backed up, epoch 2 is not.
      await waitFor(first[1], (ev) => ev.some((e) => e.event === 'epoch_begin' && e.epoch === 2) && ev.filter((e) => e.event === 'batch').length > 4, 240_000);
      first[1].child.kill('SIGKILL');
      expect(await first[1].done).toBeNull();
    } finally {
      // The survivor blocks in its next all-reduce; a cluster manager restarts the whole job, as here.
      for (const w of first) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await Promise.all(first.map((w) => w.done));
    }
    const killed = events(first[1].out);
    expect(killed.find((e) => e.event === 'start')).toMatchObject({ strategy: 'CollectiveAllReduceStrategy', replicas: 2, workers: 2 });
    expect(killed.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual([1]);
    for (const i of [0, 1]) {
      const meta = JSON.parse(readFileSync(path.join(out, 'backup', 'phase-1', `worker-${i}`, 'training_metadata.json'), 'utf8'));
      expect(meta.epoch).toBe(1);
    }
    expect(existsSync(path.join(out, 'trained.keras'))).toBe(false);

    const second = await cluster(args);
    const codes = await Promise.all(second.map((w) => w.done));
    expect(codes, second.map((w) => w.err.slice(-3000)).join('\n---\n')).toEqual([0, 0]);
    for (const w of second) {
      const ev = events(w.out);
      expect(ev.find((e) => e.event === 'restore')).toMatchObject({ phase: 1, epoch: 1 });
      // Only the epoch the kill interrupted runs again.
      expect(ev.filter((e) => e.event === 'epoch_begin').map((e) => e.epoch)).toEqual([2]);
      expect(ev.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual([2]);
    }
    const result = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(result).toMatchObject({ strategy: 'CollectiveAllReduceStrategy', replicas: 2, workers: 2 });
    expect(existsSync(path.join(out, 'trained.weights.h5'))).toBe(true);
    expect(existsSync(path.join(out, 'scratch', 'worker-1', 'trained.keras'))).toBe(true);
  }, 600_000);
});
