// SPDX-License-Identifier: MIT
// Peak resident memory of this process. On Linux the kernel keeps the high-water mark (VmHWM)
// and lets a process reset it (writing 5 to /proc/self/clear_refs), which catches peaks that a
// timer would miss while the event loop is blocked in a synchronous kernel. Elsewhere a 10 ms
// sampler is the fallback.
import { readFileSync, writeFileSync } from 'node:fs';

export function rssBytes(): number {
  return process.memoryUsage.rss();
}

function vmHwmBytes(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetHwm(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export interface PeakTracker {
  /** Highest RSS since start (bytes). */
  peak(): number;
  stop(): number;
  /** How the peak is measured. */
  method: 'VmHWM' | 'sampled';
}

/** Starts tracking peak RSS from now. */
export function trackPeak(): PeakTracker {
  if (resetHwm() && vmHwmBytes() !== undefined) {
    return { peak: () => vmHwmBytes() ?? rssBytes(), stop: () => vmHwmBytes() ?? rssBytes(), method: 'VmHWM' };
  }
  let max = rssBytes();
  const timer = setInterval(() => {
    max = Math.max(max, rssBytes());
  }, 10);
  timer.unref();
  const peak = () => (max = Math.max(max, rssBytes()));
  return {
    peak,
    stop: () => {
      clearInterval(timer);
      return peak();
    },
    method: 'sampled',
  };
}

/** Runs `fn` and returns its result with the peak RSS reached while it ran. */
export async function withPeak<T>(fn: () => Promise<T> | T): Promise<{ result: T; peakBytes: number; startBytes: number }> {
  const startBytes = rssBytes();
  const t = trackPeak();
  const result = await fn();
  return { result, peakBytes: t.stop(), startBytes };
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
