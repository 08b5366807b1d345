// SPDX-License-Identifier: MIT
// Worker thread body of the decode pool: decode (through the decoded-image cache), resize and
// augment one image per request, transferring the pixels back without a copy. A bad file is
// answered, never thrown.
import { parentPort } from 'node:worker_threads';
import { sha256File } from '../../platform/hash';
import { serializeError } from '../../shared/errors';
import { augment } from './augment';
import { decodeImage, decodeToWorkingSize, resizeRgb } from './decode';
import { imageCacheKey, readCachedImage, writeCachedImage } from './image-cache';
import type { DecodeRequest, DecodeResponse } from './pipeline-protocol';
import type { RgbImage } from './types';

const port = parentPort;
if (!port) throw new Error('decode-worker must run in a worker thread');

async function decode(req: DecodeRequest): Promise<{ img: RgbImage; hit: boolean; wrote: number }> {
  const opts = { ...req.decode, output: 'float32' as const };
  let key: string | undefined;
  if (req.cacheDir) {
    // An unreadable file has no hash; decodeImage below then reports it the usual way.
    const sha = req.sha256 ?? (await sha256File(req.file).catch(() => undefined));
    if (!sha) return { img: await decodeImage(req.file, opts), hit: false, wrote: 0 };
    key = imageCacheKey(sha, req.decode);
    const cached = await readCachedImage(req.cacheDir, key);
    if (cached) return { img: await resizeRgb(cached, opts), hit: true, wrote: 0 };
  }
  const working = await decodeToWorkingSize(req.file, opts);
  // A full disk or a read-only cache only costs speed.
  const wrote = req.cacheDir && key ? await writeCachedImage(req.cacheDir, key, working).catch(() => 0) : 0;
  return { img: await resizeRgb(working, opts), hit: false, wrote };
}

port.on('message', (req: DecodeRequest) => {
  void (async () => {
    let res: DecodeResponse;
    try {
      const out = await decode(req);
      let img = out.img;
      if (req.augment) img = augment(img, req.augment, req.seed);
      const data = img.data as Float32Array;
      res = { id: req.id, ok: true, data, hit: out.hit, wrote: out.wrote };
      port.postMessage(res, [data.buffer as ArrayBuffer]);
    } catch (err) {
      res = { id: req.id, ok: false, error: serializeError(err) };
      port.postMessage(res);
    }
  })();
});
