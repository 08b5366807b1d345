// SPDX-License-Identifier: MIT
// Zoo builders create their kernels with unseeded initialisers. For a model trained from scratch,
// redrawing every random kernel from the same initialiser (same distribution and scale) with a
// seed makes two runs with one seed start from identical weights.
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng';

/** Layer attribute holding an initialiser -> the short name of the weight it creates. */
const INITIALISED: readonly [string, string][] = [
  ['kernelInitializer', 'kernel'],
  ['depthwiseInitializer', 'depthwise_kernel'],
  ['pointwiseInitializer', 'pointwise_kernel'],
  ['embeddingsInitializer', 'embeddings'],
];

interface InitializerLike {
  getConfig(): object;
  getClassName(): string;
  apply(shape: number[], dtype?: tf.DataType): tf.Tensor;
}

type InitializerCtor = new (config: Record<string, unknown>) => InitializerLike;

/** Redraws every seedable initialiser's weight with seeds drawn from `seed`; returns how many. */
export function reseedWeights(model: tf.LayersModel, seed: number): number {
  const rng = new Rng(seed);
  const classes = tf.serialization.SerializationMap.getMap().classNameMap as unknown as Record<string, [InitializerCtor, unknown]>;
  let count = 0;
  for (const layer of model.layers) {
    for (const [attr, short] of INITIALISED) {
      const init = (layer as unknown as Record<string, InitializerLike | undefined>)[attr];
      if (!init || typeof init.getConfig !== 'function') continue;
      const config = init.getConfig() as Record<string, unknown>;
      // Constant initialisers (zeros, ones) have no seed and are deterministic already.
      if (!('seed' in config)) continue;
      const weight = layer.weights.find((w) => w.originalName.split('/').pop() === short);
      const Ctor = classes[init.getClassName()]?.[0];
      if (!weight || !Ctor) continue;
      const fresh = new Ctor({ ...config, seed: rng.nextSeed() });
      const value = fresh.apply(weight.shape as number[], 'float32');
      weight.write(value);
      value.dispose();
      count++;
    }
  }
  return count;
}
