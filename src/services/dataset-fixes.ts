// SPDX-License-Identifier: MIT
// Fixing what evaluation finds: page through a confusion cell's images (every cell, the diagonal
// too), then relabel (the file moves to another class folder), exclude from training, or move the
// file to the project's trash folder; every fix is logged and can be undone. train.retrain starts
// a run with an earlier run's settings on the dataset as it is now.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanDataset } from '../engine/data/scan';
import { dataDir } from '../platform/paths';
import { TrainStartSchema, type TrainStart } from '../shared/dto/train';
import type { CellPage, FixDto } from '../shared/dto/fixes';
import type { Handlers } from '../shared/ipc/contract';
import type { fixesMethods } from '../shared/ipc/methods/fixes';
import { AppError } from '../shared/errors';
import type { Db } from '../store/db';
import { listImages, saveScan, type DatasetRecord } from '../store/repos/datasets';
import { addFix, cellPredictions, countPredictions, getFix, imageState, listFixes, markFixUndone, moveImage, setImageStatus, type FixRecord } from '../store/repos/health';
import type { ServiceContext } from './context';
import { refreshHealth } from './dataset-health';
import { requireDataset } from './datasets';
import { evaluateRun, requireRun, startRun } from './train';

/** Where trashed images of a project go (restorable with fixes.undo). */
export function trashDir(projectId: number | null): string {
  return path.join(dataDir(), 'trash', projectId === null ? 'no-project' : `project-${projectId}`);
}

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/** Renames a file, copying across file systems (EXDEV) through a temporary name so no half file is left at `to`. */
async function moveFile(from: string, to: string): Promise<void> {
  if (await exists(to)) throw new AppError('CONFLICT', `${to} already exists; move or rename it first.`, { path: to });
  await fs.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `${from} is gone; import the folder again if it moved.`, { path: from });
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const tmp = `${to}.partial-${process.pid}`;
    await fs.copyFile(from, tmp);
    await fs.rename(tmp, to);
    await fs.unlink(from);
  }
}

/** The path of `rel` with its class folder replaced (the class is the first folder, the second under train/validation/test). */
export function relabelledPath(rel: string, layout: string, toClass: string): string {
  const parts = rel.split('/');
  parts[layout === 'splits' ? 1 : 0] = toClass;
  return parts.join('/');
}

/** `rel`, or `name-2.ext`, `name-3.ext`… when a file of that name is already in the class folder. */
async function freeName(root: string, rel: string): Promise<string> {
  const ext = path.posix.extname(rel);
  const stem = rel.slice(0, rel.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? rel : `${stem}-${i}${ext}`;
    if (!(await exists(path.join(root, candidate)))) return candidate;
  }
}

/** Rescans a dataset's folder (keeping exclusions and cached hashes) and refreshes its health. */
export async function rescanDataset(db: Db, d: DatasetRecord): Promise<DatasetRecord> {
  const scan = await scanDataset(d.root, { previous: listImages(db, d.id, { includeExcluded: true }) });
  const saved = saveScan(db, scan, { projectId: d.projectId, name: d.name, datasetId: d.id });
  await refreshHealth(db, saved);
  return requireDataset(db, d.id);
}

function requireImage(db: Db, d: DatasetRecord, rel: string): { path: string; className: string; status: string } {
  const im = imageState(db, d.id, rel);
  if (im) return { path: rel, ...im };
  throw new AppError('NOT_FOUND', `Dataset ${d.id} (${d.root}) has no image ${JSON.stringify(rel)}; import the folder again if files moved.`, { path: rel });
}

const toDto = (f: FixRecord): FixDto => ({ ...f });

export async function applyFix(db: Db, input: { action: 'relabel' | 'exclude' | 'trash'; datasetId: number; path: string; toClass?: string }): Promise<FixDto> {
  const d = requireDataset(db, input.datasetId);
  const im = requireImage(db, d, input.path);
  if (im.status === 'trashed') throw new AppError('CONFLICT', `${input.path} is in the trash; undo that fix first.`, { path: input.path });
  if (input.action === 'exclude') {
    if (im.status === 'excluded') throw new AppError('CONFLICT', `${input.path} is already excluded from training.`, { path: input.path });
    setImageStatus(db, d.id, im.path, 'excluded');
    return toDto(addFix(db, { datasetId: d.id, action: 'exclude', path: im.path, toPath: null, fromClass: im.className, toClass: null }));
  }
  if (input.action === 'relabel') {
    const toClass = input.toClass!;
    if (!d.classes.includes(toClass)) throw new AppError('INVALID_ARGUMENT', `Dataset ${d.id} has no class ${JSON.stringify(toClass)}. Its classes: ${d.classes.join(', ')}.`, { received: toClass });
    if (toClass === im.className) throw new AppError('INVALID_ARGUMENT', `${im.path} is already in class ${JSON.stringify(toClass)}.`, { path: im.path });
    const to = await freeName(d.root, relabelledPath(im.path, d.layout, toClass));
    await moveFile(path.join(d.root, im.path), path.join(d.root, to));
    moveImage(db, d.id, im.path, to, toClass);
    return toDto(addFix(db, { datasetId: d.id, action: 'relabel', path: im.path, toPath: to, fromClass: im.className, toClass }));
  }
  // Trash: a unique name per fix, so two trashed files of the same name never collide.
  const fix = addFix(db, { datasetId: d.id, action: 'trash', path: im.path, toPath: null, fromClass: im.className, toClass: null });
  const to = path.join(trashDir(d.projectId), `dataset-${d.id}`, `${fix.id}-${path.basename(im.path)}`);
  try {
    await moveFile(path.join(d.root, im.path), to);
  } catch (err) {
    db.prepare('DELETE FROM dataset_fixes WHERE id = ?').run(fix.id);
    throw err;
  }
  db.prepare('UPDATE dataset_fixes SET to_path = ? WHERE id = ?').run(to, fix.id);
  setImageStatus(db, d.id, im.path, 'trashed');
  return toDto(getFix(db, fix.id)!);
}

export async function undoFix(db: Db, id: number): Promise<FixDto> {
  const f = getFix(db, id);
  if (!f) throw new AppError('NOT_FOUND', `No dataset fix with id ${id}. List them with \`transfer-studio fixes list DATASET\`.`, { id });
  if (f.undoneAt) throw new AppError('CONFLICT', `Fix ${id} was already undone at ${f.undoneAt}.`, { id });
  const current = f.action === 'relabel' ? f.toPath! : f.path;
  const later = listFixes(db, f.datasetId).find((g) => g.id > f.id && !g.undoneAt && g.path === current);
  if (later) throw new AppError('CONFLICT', `Fix ${later.id} (${later.action}) changed ${current} after fix ${id}; undo it first.`, { id, later: later.id });
  const d = requireDataset(db, f.datasetId);
  if (f.action === 'exclude') {
    setImageStatus(db, d.id, f.path, 'ok');
  } else if (f.action === 'relabel') {
    await moveFile(path.join(d.root, f.toPath!), path.join(d.root, f.path));
    moveImage(db, d.id, f.toPath!, f.path, f.fromClass);
  } else {
    await moveFile(f.toPath!, path.join(d.root, f.path));
    setImageStatus(db, d.id, f.path, 'ok');
    // A rescan since the trash dropped its row: scan it back in.
    if (!imageState(db, d.id, f.path)) await rescanDataset(db, d);
  }
  markFixUndone(db, id);
  return toDto(getFix(db, id)!);
}

export async function cellPage(db: Db, input: { runId: number; label: number; predicted: number; offset?: number; limit?: number; order?: 'desc' | 'asc' }): Promise<CellPage> {
  const run = requireRun(db, input.runId);
  if (run.datasetId === null) throw new AppError('INVALID_ARGUMENT', `Run ${run.id} has no dataset in this database (imported from a package?); its images cannot be listed.`, { runId: run.id });
  const d = requireDataset(db, run.datasetId);
  // Runs evaluated before predictions were stored (or only at the end of training) are scored once now.
  if (countPredictions(db, run.id) === 0) await evaluateRun(db, run.id, undefined);
  const k = (run.evaluation as { numClasses?: number } | null)?.numClasses ?? (requireRun(db, run.id).evaluation as { numClasses?: number } | null)?.numClasses ?? 0;
  for (const [name, v] of [['label', input.label], ['predicted', input.predicted]] as const) {
    if (k && v >= k) throw new AppError('INVALID_ARGUMENT', `${name} ${v} is not a class of run ${run.id} (it has ${k}: 0..${k - 1}).`, { [name]: v });
  }
  const offset = input.offset ?? 0;
  const page = cellPredictions(db, run.id, input.label, input.predicted, offset, input.limit ?? 48, input.order ?? 'desc');
  const fixes = listFixes(db, d.id).filter((f) => !f.undoneAt);
  const fixOf = (p: string) => fixes.find((f) => f.path === p) ?? null;
  return { runId: run.id, datasetId: d.id, root: d.root, label: input.label, predicted: input.predicted, total: page.total, offset, items: page.items.map((it) => ({ ...it, fix: fixOf(it.path) })) };
}

/** The TrainStart an earlier run was started with (its stored config holds more than the request). */
export function requestOf(config: Record<string, unknown>, datasetId: number): TrainStart {
  const keys = Object.keys(TrainStartSchema.shape);
  const picked = Object.fromEntries(Object.entries(config).filter(([k]) => keys.includes(k)));
  return TrainStartSchema.parse({ ...picked, datasetId });
}

export function fixesHandlers(ctx: ServiceContext): Handlers<typeof fixesMethods> {
  const { db } = ctx;
  return {
    'eval.cell': async (input) => cellPage(db, input),
    'fixes.apply': async (input) => applyFix(db, input),
    'fixes.undo': async ({ id }) => undoFix(db, id),
    'fixes.list': async ({ datasetId }) => listFixes(db, requireDataset(db, datasetId).id).map(toDto),
    'train.retrain': async ({ runId }) => {
      const run = requireRun(db, runId);
      if (run.datasetId === null) throw new AppError('INVALID_ARGUMENT', `Run ${runId} has no dataset in this database; retrain it with \`transfer-studio train --data DIR\`.`, { runId });
      const d = await rescanDataset(db, requireDataset(db, run.datasetId));
      const started = await startRun(ctx, requestOf(run.config, d.id), { retrainOf: runId });
      return { runId: started.runId, sourceRunId: runId };
    },
  };
}
