// SPDX-License-Identifier: MIT
// One line of training progress: a bar for the epoch's batches, loss, accuracy, speed and ETA.
import type { EventPayload } from '../../shared/ipc/contract';

const BAR = 20;

function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? ` ETA ${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? ` ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : ` ETA ${s}s`;
}

/** A batch line (with a bar) or an epoch summary line. */
export function formatProgress(event: 'train.batch' | 'train.epoch', p: Partial<EventPayload<'train.batch'>> & Partial<EventPayload<'train.epoch'>>): string {
  const where = `phase ${p.phase} epoch ${p.epoch}`;
  if (event === 'train.batch') {
    const total = p.batches ?? 0;
    const filled = total ? Math.round((BAR * (p.batch ?? 0)) / total) : 0;
    const bar = total ? `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${p.batch}/${total}` : `batch ${p.batch}`;
    return `${where} ${bar} loss ${p.loss?.toFixed(4)} acc ${p.acc?.toFixed(3)} ${p.imagesPerSec?.toFixed(1)} img/s${eta(p.etaSeconds)}`;
  }
  const val = p.valLoss !== undefined ? ` val_loss ${p.valLoss.toFixed(4)} val_acc ${p.valAcc?.toFixed(3)}` : '';
  return `${where} done: loss ${p.loss?.toFixed(4)} acc ${p.acc?.toFixed(3)}${val} lr ${p.lr?.toExponential(1)} ${p.seconds?.toFixed(1)} s`;
}
