// SPDX-License-Identifier: MIT
// Every model in the zoo registry, exported to ONNX and run on ONNX Runtime, must agree with TF.js
// (cpu) on the same random batch. New families are covered as soon as they are registered.
// Feature extractors run at a small size (notop + avg pooling); small models also run with their
// classifier at the default size.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listModels } from '../zoo/registry';
import type { BuildOptions, ModelSpec } from '../zoo/types';
import { checkParity, randomizeWeights } from './parity';

/** Absolute tolerance, scaled up only for outputs whose magnitude exceeds 1 (float32 relative error). */
const TOL = 1e-4;
const SMALL_SIZE = 64;
/** Models this small are also checked with their classifier at the default input size. */
const TOP_PARAMS_LIMIT = 6_000_000;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function buildNotop(spec: ModelSpec): tf.LayersModel {
  const size = Math.max(spec.minInputSize, SMALL_SIZE);
  const opts: BuildOptions = { includeTop: false, pooling: 'avg', inputShape: [size, size, 3] };
  return spec.build(opts);
}

async function expectParity(spec: ModelSpec, model: tf.LayersModel, what: string): Promise<void> {
  try {
    randomizeWeights(model, spec.id.length);
    const r = await checkParity(model, 2);
    const tol = TOL * Math.max(1, r.maxAbsRef);
    expect(r.maxAbsRef, `${spec.id} ${what}: output is all zeros`).toBeGreaterThan(1e-6);
    expect(r.maxAbsDiff, `${spec.id} ${what}: max |TF.js - ONNX| with max |ref| ${r.maxAbsRef}`).toBeLessThan(tol);
  } finally {
    model.dispose();
  }
}

const specs = listModels();

describe('zoo registry on ONNX Runtime', () => {
  it('has models to check', () => {
    expect(specs.length).toBeGreaterThan(0);
  });

  it.each(specs.map((s) => [s.id, s] as const))('%s notop+avg at a small size', async (_id, spec) => {
    await expectParity(spec, buildNotop(spec), 'notop');
  });

  const small = specs.filter((s) => s.params.top <= TOP_PARAMS_LIMIT);
  it.each(small.map((s) => [s.id, s] as const))('%s with its classifier at the default size', async (_id, spec) => {
    await expectParity(spec, spec.build({ includeTop: true }), 'include-top');
  });
});
