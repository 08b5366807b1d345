// SPDX-License-Identifier: MIT
// Live state of the training run on screen, fed by the engine's train.* events.
import type { EventPayload } from '../../../shared/ipc/contract';
import type { EpochDto, RunDetail } from '../../../shared/dto/train';

export type RunStatus = EventPayload<'train.status'>['status'];

/** A chart point: the recorded epoch's fields (declared once, in shared/dto/train.ts) and its x position. */
export type EpochPoint = Pick<EpochDto, 'phase' | 'epoch' | 'loss' | 'acc' | 'valLoss' | 'valAcc'> & {
  /** 1-based position over both phases, the charts' x axis. */
  x: number;
};

const MAX_LOG = 300;

export class TrainingState {
  runId = $state<number | undefined>();
  status = $state<RunStatus | undefined>();
  error = $state<string | undefined>();
  backend = $state<string | undefined>();
  phase = $state(1);
  epoch = $state(0);
  batch = $state(0);
  batches = $state<number | undefined>();
  imagesPerSec = $state<number | undefined>();
  etaSeconds = $state<number | undefined>();
  /** Per batch: running step number, loss, accuracy. */
  steps = $state<{ x: number[]; loss: number[]; acc: number[] }>({ x: [], loss: [], acc: [] });
  epochs = $state<EpochPoint[]>([]);
  log = $state<string[]>([]);

  active = $derived(this.status === 'queued' || this.status === 'running');

  /** Starts following `runId`, forgetting the previous run's curves. */
  follow(runId: number): void {
    this.runId = runId;
    this.status = 'queued';
    this.error = undefined;
    this.backend = undefined;
    this.phase = 1;
    this.epoch = 0;
    this.batch = 0;
    this.batches = undefined;
    this.imagesPerSec = undefined;
    this.etaSeconds = undefined;
    this.steps = { x: [], loss: [], acc: [] };
    this.epochs = [];
    this.log = [];
  }

  /** Shows a run that is already in the database (a reload, or a finished run). */
  load(run: RunDetail): void {
    this.follow(run.id);
    this.status = run.status;
    this.error = run.error ?? undefined;
    this.backend = run.backend ?? undefined;
    this.epochs = run.epochs.map((e, i) => ({ x: i + 1, phase: e.phase, epoch: e.epoch, loss: e.loss, acc: e.acc, valLoss: e.valLoss, valAcc: e.valAcc }));
    const last = run.epochs.at(-1);
    if (last) {
      this.phase = last.phase;
      this.epoch = last.epoch;
      this.imagesPerSec = last.imagesPerSec ?? undefined;
    }
    this.log = [...run.engineNotes];
  }

  onBatch(e: EventPayload<'train.batch'>): void {
    if (e.runId !== this.runId) return;
    this.status = 'running';
    this.phase = e.phase;
    this.epoch = e.epoch;
    this.batch = e.batch;
    this.batches = e.batches;
    this.imagesPerSec = e.imagesPerSec;
    this.etaSeconds = e.etaSeconds;
    const x = this.steps.x.length + 1;
    this.steps = { x: [...this.steps.x, x], loss: [...this.steps.loss, e.loss], acc: [...this.steps.acc, e.acc] };
  }

  onEpoch(e: EventPayload<'train.epoch'>): void {
    if (e.runId !== this.runId) return;
    const point: EpochPoint = { x: this.epochs.length + 1, phase: e.phase, epoch: e.epoch, loss: e.loss, acc: e.acc, valLoss: e.valLoss ?? null, valAcc: e.valAcc ?? null };
    this.epochs = [...this.epochs, point];
    if (e.imagesPerSec !== undefined) this.imagesPerSec = e.imagesPerSec;
    const val = e.valAcc !== undefined ? `, validation loss ${e.valLoss?.toFixed(4)} accuracy ${(e.valAcc * 100).toFixed(1)}%` : '';
    this.addLog(`phase ${e.phase} epoch ${e.epoch}: loss ${e.loss.toFixed(4)} accuracy ${(e.acc * 100).toFixed(1)}%${val} (${e.seconds.toFixed(1)} s)`);
  }

  onStatus(e: EventPayload<'train.status'>): void {
    if (e.runId !== this.runId) return;
    this.status = e.status;
    this.error = e.error;
    this.addLog(`run ${e.runId} ${e.status}${e.error ? `: ${e.error}` : ''}`);
  }

  addLog(line: string): void {
    this.log = [...this.log.slice(-(MAX_LOG - 1)), line];
  }
}

export const training = new TrainingState();
