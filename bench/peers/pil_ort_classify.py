# SPDX-License-Identifier: MIT
"""Python peer for bench/cases/classify.ts: folder classification the way a short script does it.

PIL opens each JPEG with draft mode (libjpeg's shrink-on-load to the smallest scale still at
least the target), applies the EXIF orientation, converts to RGB and resizes bilinear to the
model's size; ONNX Runtime runs the same .onnx file our engine converted, in batches.
Single-threaded decode (a plain script), ORT with its default threads. Prints one JSON line.
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps


def load(path, size):
    with Image.open(path) as im:
        im.draft("RGB", (size, size))
        im = ImageOps.exif_transpose(im)
        im = im.convert("RGB").resize((size, size), Image.BILINEAR)
        return np.asarray(im, dtype=np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=16)
    a = ap.parse_args()
    t0 = time.perf_counter()
    c0 = time.process_time()
    sess = ort.InferenceSession(a.onnx, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    start_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    files = sorted(os.path.join(a.dir, f) for f in os.listdir(a.dir) if f.lower().endswith((".jpg", ".jpeg")))
    decode_s = 0.0
    infer_s = 0.0
    done = 0
    for s in range(0, len(files), a.batch):
        td = time.perf_counter()
        # MobileNetV2's preprocessing (Keras mode "tf"): x / 127.5 - 1.
        x = np.stack([load(f, a.size) for f in files[s : s + a.batch]]) / 127.5 - 1.0
        decode_s += time.perf_counter() - td
        ti = time.perf_counter()
        probs = sess.run(None, {name: x.astype(np.float32)})[0]
        infer_s += time.perf_counter() - ti
        done += int(probs.argmax(axis=1).shape[0])
    wall = time.perf_counter() - t1
    print(json.dumps({
        "images": done,
        "wall_s": wall,
        "session_start_s": start_s,
        "decode_s": decode_s,
        "inference_s": infer_s,
        "cpu_s": time.process_time() - c0,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "onnxruntime": ort.__version__,
    }))


if __name__ == "__main__":
    main()
