// SPDX-License-Identifier: MIT
// The weights domain: Keras's cache per zoo model (list, download with progress and cancel,
// verify, remove, import a file) and the weights the app bundles. Downloads run in this process;
// the engine's lock file keeps the app, the CLI and browser mode from writing one file at once.
import { realpath } from 'node:fs/promises';
import { cacheStatus, downloadWeights, installWeightsFile, kerasCacheDir, nsfwjsSource, remove, verify, type CachedFileStatus, type WeightsVariant } from '../engine/weights/index';
import { checkWeightsFile } from '../engine/weights/availability';
import { allKerasFacts } from '../engine/zoo/keras-facts';
import { bundledModel, getModelSpec, listModels } from '../engine/zoo/registry';
import { AppError, serializeError } from '../shared/errors';
import type { Handlers } from '../shared/ipc/contract';
import type { weightsMethods } from '../shared/ipc/methods/weights';
import type { ServiceContext } from './context';
import { confinePath } from './paths';

const VARIANTS: readonly WeightsVariant[] = ['top', 'notop'];

/** Display name of the bundled source (the wizard's backbone table shows it as is). */
export const NSFWJS_DISPLAY_NAME = 'MobileNetV2, weights from nsfwjs';

/** Downloads running in this process, by job id, for cancel. */
const active = new Map<string, AbortController>();

/** Cancels a download running in this process by its job id; its `.part` is kept for resuming. */
export function cancelDownload(jobId: string): boolean {
  const c = active.get(jobId);
  c?.abort();
  return c !== undefined;
}

export const downloadJobId = (kerasName: string, variant: WeightsVariant): string => `weights:${kerasName}:${variant}`;

/**
 * Test-only switches, read from the environment so that a CLI child process can be pointed at a
 * loopback server: TRANSFER_STUDIO_TEST_WEIGHTS_URL (an http://127.0.0.1 base URL) is honoured only
 * when TRANSFER_STUDIO_TEST_ALLOW_HTTP=1. Production downloads are https from Keras's list only.
 */
export function testDownloadOptions(env: NodeJS.ProcessEnv = process.env): { allowLocalHttp?: boolean; testBaseUrl?: string } {
  if (env.TRANSFER_STUDIO_TEST_ALLOW_HTTP !== '1' || !env.TRANSFER_STUDIO_TEST_WEIGHTS_URL) return {};
  return { allowLocalHttp: true, testBaseUrl: env.TRANSFER_STUDIO_TEST_WEIGHTS_URL };
}

/**
 * A zoo id or Keras name to the Keras name Keras's files are listed under.
 * @throws AppError MODEL_UNKNOWN (also for classic CNNs, which have no Keras weights)
 */
export function kerasNameOf(model: string): string {
  const spec = getModelSpec(model);
  if (spec.kind !== 'keras' || !allKerasFacts()[spec.name]) {
    throw new AppError('MODEL_UNKNOWN', `${spec.name} is a classic CNN without Keras weight files. Pass a Keras Applications model such as "ResNet50" (see \`transfer-studio weights list\`).`, { received: model });
  }
  return spec.name;
}

function variantsOf(variant?: WeightsVariant): readonly WeightsVariant[] {
  return variant ? [variant] : VARIANTS;
}

function toDto(kerasName: string, v: CachedFileStatus) {
  return { ...v, downloading: active.has(downloadJobId(kerasName, v.variant)) };
}

function bundled() {
  try {
    const s = nsfwjsSource();
    return [{ id: s.id, name: NSFWJS_DISPLAY_NAME, modelId: s.modelId, preprocess: s.preprocess, available: true, version: s.version, homepage: s.homepage, licence: s.licence }];
  } catch (err) {
    const { spec, cfg } = bundledModel('nsfwjs');
    return [{ id: cfg.tag, name: NSFWJS_DISPLAY_NAME, modelId: spec.id, preprocess: cfg.preprocess, available: false, reason: serializeError(err).message }];
  }
}

/** Browser mode reads only files under the reachable folders; a missing file says so only when it is inside them. */
async function confineForBrowser(ctx: ServiceContext, file: string): Promise<void> {
  const abs = confinePath(ctx, file, 'weights file');
  if (ctx.mode === 'browser' && !(await realpath(abs).then(() => true, () => false))) {
    throw new AppError('NOT_FOUND', `No such weights file: ${file}. Check the path.`, { file });
  }
}

export function weightsHandlers(ctx: ServiceContext): Handlers<typeof weightsMethods> {
  return {
    'weights.list': async ({ model }) => {
      const names = model ? [kerasNameOf(model)] : listModels((s) => s.kind === 'keras').map((s) => s.name);
      const models = await Promise.all(
        names.map(async (name) => {
          const s = await cacheStatus(name);
          return { model: name, id: getModelSpec(name).id, variants: VARIANTS.map((v) => toDto(name, s.variants[v])) };
        }),
      );
      return { dir: kerasCacheDir(), models, bundled: bundled() };
    },

    'weights.download': async ({ model, variant }) => {
      const kerasName = kerasNameOf(model);
      const jobId = downloadJobId(kerasName, variant);
      if (active.has(jobId)) throw new AppError('CONFLICT', `${kerasName} (${variant}) is already being downloaded. Wait for it or cancel it first.`, { jobId });
      const controller = new AbortController();
      active.set(jobId, controller);
      try {
        const r = await downloadWeights(kerasName, variant, {
          ...testDownloadOptions(),
          signal: controller.signal,
          onProgress: (p) =>
            ctx.emit('job.progress', {
              jobId,
              kind: 'weights.download',
              done: p.bytes,
              ...(p.total !== null ? { total: p.total } : {}),
              rate: p.rate,
              ...(p.etaSeconds !== null ? { etaSeconds: p.etaSeconds } : {}),
              message: `${kerasName} ${variant}`,
            }),
        });
        return { model: kerasName, variant, jobId, path: r.path, bytes: r.bytes, hash: r.hash, algorithm: r.algorithm, cached: r.cached, waited: r.waited, resumed: r.resumed };
      } finally {
        active.delete(jobId);
      }
    },

    'weights.cancel': async ({ model, variant }) => {
      return { cancelled: cancelDownload(downloadJobId(kerasNameOf(model), variant)) };
    },

    'weights.verify': async ({ model, variant }) => {
      const kerasName = kerasNameOf(model);
      return Promise.all(variantsOf(variant).map(async (v) => ({ model: kerasName, variant: v, ...(await verify(kerasName, v)) })));
    },

    'weights.remove': async ({ model, variant }) => {
      const kerasName = kerasNameOf(model);
      const removed: string[] = [];
      for (const v of variantsOf(variant)) {
        if (active.has(downloadJobId(kerasName, v))) throw new AppError('CONFLICT', `${kerasName} (${v}) is being downloaded. Cancel the download first.`, { model: kerasName, variant: v });
        const s = await cacheStatus(kerasName);
        if (await remove(kerasName, v)) removed.push(s.variants[v].path);
      }
      return { removed };
    },

    'weights.import': async ({ file, model, variant, byName }) => {
      await confineForBrowser(ctx, file);
      const r = await installWeightsFile(kerasNameOf(model), file, variant, { byName });
      return { model: r.kerasName, variant: r.variant, path: r.path, bytes: r.bytes, format: r.format, layers: r.layers, weightsLoaded: r.weightsLoaded, replaced: r.replaced };
    },

    'weights.check': async ({ file, model, imageSize }) => {
      await confineForBrowser(ctx, file);
      const spec = getModelSpec(model);
      const size = imageSize ?? spec.defaultInputSize;
      const r = await checkWeightsFile(spec, confinePath(ctx, file, 'weights file'), size);
      return { model: spec.id, file: r.file, bytes: r.bytes, format: r.format, weightsLoaded: r.weightsLoaded, imageSize: size };
    },
  };
}
