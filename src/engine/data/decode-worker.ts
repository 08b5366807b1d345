// SPDX-License-Identifier: MIT
// Worker thread body for the batch pipeline: decode, resize and augment one image per request,
// transferring the pixels back without a copy. A bad file is answered, never thrown.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../shared/errors';
import { augment } from './augment';
import { decodeImage } from './decode';
import type { DecodeRequest, DecodeResponse } from './pipeline-protocol';

const port = parentPort;
if (!port) throw new Error('decode-worker must run in a worker thread');

port.on('message', (req: DecodeRequest) => {
  void (async () => {
    let res: DecodeResponse;
    try {
      let img = await decodeImage(req.file, { ...req.decode, output: 'float32' });
      if (req.augment) img = augment(img, req.augment, req.seed);
      const data = img.data as Float32Array;
      res = { id: req.id, ok: true, data };
      port.postMessage(res, [data.buffer as ArrayBuffer]);
    } catch (err) {
      res = { id: req.id, ok: false, error: serializeError(err) };
      port.postMessage(res);
    }
  })();
});
