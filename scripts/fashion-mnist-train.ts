// SPDX-License-Identifier: MIT
// Fashion-MNIST with the bundled pretrained MobileNetV2 through the feature fast path; prints one
// JSON object with the test accuracy, wall time and settings.
//   node --import tsx scripts/fashion-mnist-train.ts [--train-per-class N] [--test-per-class N]
//     [--size 96] [--freeze-until block_15] [--epochs 3] [--lr 0.001] [--batch 64] [--hidden N]
//     [--dropout 0.2] [--fine-tune-blocks K --fine-tune-epochs E [--fine-tune-lr X]]
//     [--schedule cosine|constant] [--smoothing 0.1] [--backend wasm] [--cache-dir DIR] [--fast-path off]
import { runFashionMnistBenchmark } from '../bench/lib/fashion-mnist-run';

const argv = process.argv.slice(2);
const arg = (flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const num = (flag: string) => (arg(flag) === undefined ? undefined : Number(arg(flag)));

const ftBlocks = num('--fine-tune-blocks');
const result = await runFashionMnistBenchmark({
  trainPerClass: num('--train-per-class'),
  testPerClass: num('--test-per-class'),
  imageSize: num('--size'),
  freezeUntil: arg('--freeze-until'),
  epochs: num('--epochs'),
  lr: num('--lr'),
  batch: num('--batch'),
  head: { dropout: num('--dropout') ?? 0.2, ...(num('--hidden') ? { hidden: num('--hidden') } : {}) },
  fineTune: ftBlocks === undefined ? undefined : { blocks: ftBlocks, epochs: num('--fine-tune-epochs') ?? 1, lr: num('--fine-tune-lr') },
  schedule: arg('--schedule') as 'cosine' | 'constant' | undefined,
  labelSmoothing: num('--smoothing'),
  backend: (arg('--backend') ?? 'wasm') as 'wasm',
  cacheDir: arg('--cache-dir'),
  fastPath: arg('--fast-path') as 'off' | undefined,
  log: (m) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`),
});
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
