import * as tf from '@tensorflow/tfjs';
import { trainModel } from '/work/main/src/engine/train/train-model';
import { shapesData, tinyBackbone } from '/work/main/src/engine/train/synthetic';
await tf.setBackend('cpu');
const data = shapesData({ train: 240, val: 60, test: 90, size: 32, batch: 16 });
const t0 = Date.now();
const r = await trainModel({ backbone: 'tiny', weights: null, epochs: 6, lr: 3e-3, freezeUntil: 'none', seed: 1 }, data, {
  loadBackbone: async () => tinyBackbone({ size: 32 }),
  onEpoch: (e) => console.log(JSON.stringify(e)),
});
console.log('secs', (Date.now() - t0) / 1000, 'acc', r.evaluation?.accuracy, tf.memory().numTensors);
