// SPDX-License-Identifier: MIT
// export.run / export.list: export a run's trained model with the run's settings, evaluation and
// dataset split in the model card and training package, measure quantisation on the run's own
// validation images, and record every export with its file hashes.
import path from 'node:path';
import sharp from 'sharp';
import type { Evaluation } from '../engine/eval/metrics';
import { exportModel, type ExportContext, type ManifestImage, type ValidationSet } from '../engine/export/index';
import { readArtifactMeta } from '../engine/artifacts/model-artifact';
import type { ExportRecordDto } from '../shared/dto/export';
import { AppError } from '../shared/errors';
import type { Handlers } from '../shared/ipc/contract';
import type { exportMethods } from '../shared/ipc/methods/export';
import { getDataset } from '../store/repos/datasets';
import { listExports, recordExport, type ExportRecord } from '../store/repos/exports';
import { getRun } from '../store/repos/runs';
import type { ServiceContext } from './context';
import { runCallJob } from './jobs';
import { confinePath } from './paths';
import { readJob } from '../engine/train/plan';
import { modelDirOf } from './train-runner';

/** Validation images decoded for measuring quantisation (enough for a stable accuracy, quick on a CPU). */
const MAX_VALIDATION_IMAGES = 256;

function toDto(r: ExportRecord): ExportRecordDto {
  return { id: r.id, runId: r.runId, format: r.format, path: r.path, files: r.files, createdAt: r.createdAt };
}


async function decodeValidation(root: string, items: { path: string; label: number }[], size: number): Promise<ValidationSet> {
  const chosen = items.slice(0, MAX_VALIDATION_IMAGES);
  const pixels = new Float32Array(chosen.length * size * size * 3);
  const labels: number[] = [];
  let n = 0;
  for (const it of chosen) {
    try {
      const raw = await sharp(path.resolve(root, it.path)).rotate().removeAlpha().resize(size, size, { fit: 'fill' }).toColourspace('srgb').raw().toBuffer();
      pixels.set(Float32Array.from(raw), n * size * size * 3);
      labels.push(it.label);
      n++;
    } catch {
      // An unreadable image is skipped here; training already reported it.
    }
  }
  return { pixels: pixels.subarray(0, n * size * size * 3), labels };
}

export function exportHandlers(ctx: ServiceContext): Handlers<typeof exportMethods> {
  const { db } = ctx;
  return {
    'export.run': async ({ runId, modelDir, format, out, zip, quantize, jobId }) => runCallJob(ctx, 'export', jobId, async (job) => {
      job.progress(0, 1, `${format}: preparing`);
      const target = confinePath(ctx, out, 'export target');
      let artifactDir: string;
      let context: ExportContext | undefined;
      let validation: ValidationSet | undefined;
      if (runId !== undefined) {
        const run = getRun(db, runId);
        if (!run) throw new AppError('NOT_FOUND', `No run with id ${runId}. List runs with \`transfer-studio runs\`.`, { runId });
        if (!run.dir) throw new AppError('NOT_FOUND', `Run ${runId} has no folder; it never trained a model.`, { runId });
        artifactDir = modelDirOf(run.dir);
        const meta = await readArtifactMeta(artifactDir);
        context = { runId, training: run.config, evaluation: (run.evaluation as Evaluation | null) ?? null };
        try {
          const job = await readJob(run.dir);
          const rel = (p: string) => (path.isAbsolute(p) ? path.relative(job.data.root, p) : p).split(path.sep).join('/');
          const images: ManifestImage[] = (['train', 'validation', 'test'] as const).flatMap((split) =>
            job.data[split].map((it) => ({ path: rel(it.path), label: job.data.classes[it.label], split })),
          );
          const name = (run.datasetId !== null && getDataset(db, run.datasetId)?.name) || path.basename(job.data.root);
          context.dataset = { name, root: job.data.root, images };
          // The augmentation the run trained with (null: off), for the training package's recipe.
          context.training = { ...context.training, augment: job.data.augment ?? null };
          if (quantize && format === 'onnx' && job.data.validation.length) validation = await decodeValidation(job.data.root, job.data.validation, meta.inputSize);
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
        }
      } else {
        artifactDir = path.resolve(modelDir!);
      }
      job.check();
      job.progress(0, 1, `${format}: converting`);
      const r = await exportModel({ artifactDir, format, out: target, zip, quantize, context, validation, signal: job.signal });
      const rec = recordExport(db, { runId: runId ?? null, format: quantize ? `${format}+${quantize}` : format, path: r.path, files: r.files });
      job.progress(1, 1, `${format}: written`);
      return { id: rec.id, runId: rec.runId, format: r.format, path: r.path, files: r.files, notes: r.notes, parity: r.parity, quantization: r.quantization };
    }),
    'export.list': async ({ runId }) => listExports(db, runId).map(toDto),
  };
}
