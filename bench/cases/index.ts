// SPDX-License-Identifier: MIT
// Every benchmark case, in run order. Each is loaded only in the child process that runs it.
import type { BenchCase } from '../lib/types';

export const CASE_IDS = ['zoo', 'extract', 'startup', 'train-step', 'fashion-mnist', 'classify', 'native', 'recipe-epoch'] as const;
export type CaseId = (typeof CASE_IDS)[number];

export async function loadCase(id: CaseId): Promise<BenchCase> {
  switch (id) {
    case 'zoo':
      return (await import('./zoo')).zooCase;
    case 'extract':
      return (await import('./extract')).extractCase;
    case 'startup':
      return (await import('./startup')).startupCase;
    case 'train-step':
      return (await import('./train-step')).trainStepCase;
    case 'fashion-mnist':
      return (await import('./fashion-mnist')).fashionMnistCase;
    case 'classify':
      return (await import('./classify')).classifyCase;
    case 'native':
      return (await import('./native')).nativeCase;
    case 'recipe-epoch':
      return (await import('./recipe-epoch')).recipeEpochCase;
  }
}
