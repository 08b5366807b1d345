// SPDX-License-Identifier: MIT
// The training package: model.keras, the dataset manifest (JSON and CSV), train.py and a README,
// so a run can continue on a multi-GPU machine or a cluster and come back into the app.
import type * as tf from '@tensorflow/tfjs';
import type { ModelArtifactMeta } from '../artifacts/model-artifact';
import { type Bundle, stableJson, text } from './bundle';
import { packageReadme, recipeFrom, trainScript } from './train-script';
import type { ExportContext, ManifestImage } from './types';

/** manifest.json's `format`: what `runs import` checks before it trusts a folder. */
export const PACKAGE_FORMAT = 'transfer-studio.training-package';

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** manifest.csv: path,label,split (split empty when unassigned). */
export function manifestCsv(images: ManifestImage[]): string {
  return ['path,label,split', ...images.map((im) => [im.path, im.label, im.split ?? ''].map(csvCell).join(','))].join('\n') + '\n';
}

export async function addPackageFiles(
  bundle: Bundle,
  o: { model: tf.LayersModel; meta: ModelArtifactMeta; context?: ExportContext; kerasBytes: Uint8Array; customLayers: string[] },
): Promise<void> {
  const images = [...(o.context?.dataset?.images ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const counts: Record<string, number> = { train: 0, validation: 0, test: 0, none: 0 };
  for (const im of images) counts[im.split ?? 'none']++;
  const recipe = recipeFrom(o.context?.training, { model: o.model, backbone: o.meta.backbone, weights: o.meta.weights, inputSize: o.meta.inputSize });
  bundle.set('model.keras', o.kerasBytes);
  bundle.set(
    'manifest.json',
    text(
      stableJson({
        format: PACKAGE_FORMAT,
        version: 1,
        dataset: o.context?.dataset?.name ?? null,
        backbone: o.meta.backbone,
        labels: o.meta.labels,
        counts,
        images,
        recipe,
        customLayers: o.customLayers,
        runId: o.context?.runId ?? null,
      }),
    ),
  );
  bundle.set('manifest.csv', text(manifestCsv(images)));
  bundle.set('train.py', text(trainScript()));
  bundle.set('README.md', text(packageReadme({ modelName: o.meta.backbone, labels: o.meta.labels, counts, recipe, datasetRoot: o.context?.dataset?.root })));
}
