// SPDX-License-Identifier: MIT
// End-to-end fine-tune on Fashion-MNIST as an image folder (issue 16): PNG files -> trainOnImages,
// the path the app's `train` takes (frozen part on ONNX Runtime over cached features, the top
// blocks and head on TF.js), with the bundled pretrained MobileNetV2 (nsfwjs) -> test accuracy.
// Target: ≥ 92% top-1 on the full 10,000-image test set, trained on all 60,000, ≤ 10 minutes cold.
import path from 'node:path';
import { findFashionMnistDir } from '../../test/fixtures/fashion-mnist';
import { runFashionMnistBenchmark } from '../lib/fashion-mnist-run';
import { loadAverage } from '../lib/stats';
import { atLeast, atMost, fmt } from '../lib/targets';
import { emptyOutput, type BenchCase } from '../lib/types';

export const fashionMnistCase: BenchCase = {
  id: 'fashion-mnist',
  title: 'Fashion-MNIST fine-tune',
  async run(ctx) {
    const out = emptyOutput();
    try {
      findFashionMnistDir();
    } catch (err) {
      out.status = 'skipped';
      out.notes.push(`skipped: ${(err as Error).message}`);
      return out;
    }
    // Quick mode (CI's smoke run) trains a small slice at 64 px for one epoch: it shows the path
    // works and what ran where, not the accuracy target, which needs the full run.
    const opts = ctx.quick
      ? { trainPerClass: 8, testPerClass: 5, imageSize: 64, epochs: 1, batch: 32, datasetDir: path.join(ctx.tmpDir, 'fashion-mnist-slice') }
      : {};
    const load0 = loadAverage();
    const c0 = process.cpuUsage();
    const r = await runFashionMnistBenchmark({ ...opts, backend: 'auto', log: ctx.log });
    const c = process.cpuUsage(c0);
    const load = (load0 + loadAverage()) / 2;
    const s = r.settings;
    const what = `${r.trainImages} train / ${r.testImages} test images, ${String(s.imageSize)}px, freeze until ${String(s.freezeUntil)}, ${String(s.epochs)} epoch(s), ${String(s.backend)}`;
    out.rows.push({ name: `wall time, files → test accuracy (${what})`, value: r.wallSeconds, unit: 's', cpu: `${fmt((c.user + c.system) / 1e6)} s CPU`, peakRssMiB: r.peakRssMiB, load, reps: 1, note: `dataset PNGs written beforehand (${fmt(r.phases.datasetSeconds)} s, not counted)` });
    out.rows.push({ name: 'test accuracy (top-1)', value: r.accuracy * 100, unit: '%', load, reps: 1, note: `${r.testImages} test images` });
    out.rows.push({ name: 'images/s over the run (train × epochs + test)', value: r.imagesPerSec, unit: 'img/s', load, reps: 1, note: `extraction ${fmt(r.phases.extractImagesPerSec)} img/s (${fmt(r.phases.extractSeconds)} s); training ${fmt(r.phases.trainSeconds)} s` });
    const full = r.testImages >= 10000 && r.trainImages >= 60000;
    const scope = full ? 'the full 10,000-image test set, trained on all 60,000' : `a ${r.testImages}-image test slice, trained on ${r.trainImages} (quick mode; the target needs the full run)`;
    out.targets.push(atLeast(`92% top-1 on ${scope}`, r.accuracy * 100, 92, '%'));
    out.targets.push(atMost('at most 10 minutes cold for that run', r.wallSeconds / 60, 10, 'min'));
    out.notes.push(`trainOnImages: ${r.engineNotes}`);
    out.notes.push('Recipe: bundled nsfwjs MobileNetV2, new head (dropout 0.2), Adam with a cosine schedule, batch and epochs as in the row; scripts/fashion-mnist-train.ts runs the same with other settings.');
    return out;
  },
};
