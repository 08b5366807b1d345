// SPDX-License-Identifier: MIT
// Weight downloads in flight, by zoo model id, fed by 'job.progress' events of kind 'weights.download'.
// Kept outside the Backbone step so a download keeps its progress when the user moves on.
import { call, onEvent } from '../api';
import { handleError } from '../handle-error';
import { toasts } from './toasts.svelte';

export interface DownloadProgress {
  done: number;
  total?: number;
  rate?: number;
  etaSeconds?: number;
}

class Downloads {
  items = $state<Record<string, DownloadProgress>>({});
  /** Bumped when a download finishes, so views re-read the cache status. */
  finished = $state(0);
  #jobs = new Map<string, string>();
  #listening = false;

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    onEvent('job.progress', (p) => {
      if (p.kind !== 'weights.download') return;
      const id = this.#jobs.get(p.jobId);
      if (id && this.items[id]) this.items = { ...this.items, [id]: { done: p.done, total: p.total, rate: p.rate, etaSeconds: p.etaSeconds } };
    });
  }

  /** Downloads the headless (notop) weights of `id` into Keras's cache. */
  async start(id: string, name: string): Promise<void> {
    this.#listen();
    this.items = { ...this.items, [id]: { done: 0 } };
    this.#jobs.set(`weights:${name}:notop`, id);
    try {
      const r = await call('weights.download', { model: id, variant: 'notop' });
      this.#jobs.set(r.jobId, id);
      toasts.show(`${name} weights ready (${(r.bytes / 1e6).toFixed(1)} MB, ${r.algorithm} verified)`);
    } catch (err) {
      if ((err as { code?: string }).code !== 'DOWNLOAD_CANCELLED') handleError(err, `Could not download the ${name} weights. Check the internet connection or import the .h5 file instead`);
    } finally {
      const { [id]: _, ...rest } = this.items;
      void _;
      this.items = rest;
      this.finished++;
    }
  }

  async cancel(id: string): Promise<void> {
    try {
      await call('weights.cancel', { model: id, variant: 'notop' });
    } catch (err) {
      handleError(err, 'Could not cancel the download');
    }
  }
}

export const downloads = new Downloads();
