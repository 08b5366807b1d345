// SPDX-License-Identifier: MIT
// The registry-driven ONNX parity suite, shared by zoo-parity.test.ts (light models) and
// zoo-parity-heavy.test.ts (big ones), so each file stays within a few minutes on two cores.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listModels } from '../zoo/registry';
import type { ModelSpec } from '../zoo/types';
import { checkParity, randomizeWeights } from './parity';

/** Absolute tolerance, scaled only for outputs whose magnitude exceeds 1 (float32 is relative). */
export const PARITY_TOL = 1e-4;
const SMALL_SIZE = 64;
/** Models this small are also checked with their classifier at the default input size. */
const TOP_PARAMS_LIMIT = 6_000_000;
/** Feature extractors above this many parameters go to the heavy file. */
export const HEAVY_NOTOP_PARAMS = 15_000_000;

export const isHeavy = (s: ModelSpec): boolean => s.params.notop > HEAVY_NOTOP_PARAMS;

async function expectParity(spec: ModelSpec, model: tf.LayersModel, what: string): Promise<void> {
  try {
    randomizeWeights(model, spec.id.length);
    const r = await checkParity(model, 2);
    const tol = PARITY_TOL * Math.max(1, r.maxAbsRef);
    expect(r.maxAbsRef, `${spec.id} ${what}: output is all zeros`).toBeGreaterThan(1e-6);
    expect(r.maxAbsDiff, `${spec.id} ${what}: max |TF.js - ONNX| with max |ref| ${r.maxAbsRef}`).toBeLessThan(tol);
  } finally {
    model.dispose();
  }
}

/**
 * Every registry model matching `filter`: notop + avg pooling at max(64, minimum size) against
 * TF.js on a random batch of 2; models under 6M parameters also with their classifier at the
 * default size. New families are covered as soon as they are registered.
 */
export function defineZooParitySuite(title: string, filter: (s: ModelSpec) => boolean): void {
  const specs = listModels(filter);
  describe(title, () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
    });

    it('has models to check', () => {
      expect(specs.length).toBeGreaterThan(0);
    });

    it.each(specs.map((s) => [s.id, s] as const))('%s notop+avg at a small size', async (_id, spec) => {
      const size = Math.max(spec.minInputSize, SMALL_SIZE);
      await expectParity(spec, spec.build({ includeTop: false, pooling: 'avg', inputShape: [size, size, 3] }), 'notop');
    });

    const small = specs.filter((s) => s.params.top <= TOP_PARAMS_LIMIT);
    it.each(small.map((s) => [s.id, s] as const))('%s with its classifier at the default size', async (_id, spec) => {
      await expectParity(spec, spec.build({ includeTop: true }), 'include-top');
    });
  });
}
