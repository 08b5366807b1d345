# SPDX-License-Identifier: MIT
"""Keras 3 on TensorFlow CPU: the peer for the native TF.js engine (same libtensorflow).

The model matches the bench's TF.js one: a keras.applications backbone (weights=None, no top),
global average pooling and a 10-way softmax Dense; Adam, sparse categorical cross-entropy, every
layer trainable, BatchNormalization in training mode. Prints one JSON line with per-call wall and
CPU milliseconds for inference (model.predict_on_batch) and for a training step
(model.train_on_batch), the first `warmup` calls of each left out.
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

BUILDERS = {"mobilenetv2": keras.applications.MobileNetV2, "resnet50": keras.applications.ResNet50}


def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"wall_ms": wall, "cpu_ms": cpu}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(BUILDERS), required=True)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--jit", choices=["auto", "on", "off"], default="auto", help="Keras compile(jit_compile=...)")
    args = p.parse_args()

    keras.utils.set_random_seed(1)
    base = BUILDERS[args.model](include_top=False, weights=None, input_shape=(args.size, args.size, 3), pooling="avg")
    model = keras.Sequential([base, keras.layers.Dense(10, activation="softmax")])
    jit = {"auto": "auto", "on": True, "off": False}[args.jit]
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", jit_compile=jit)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (args.batch, args.size, args.size, 3)).astype("float32")
    y = (np.arange(args.batch) % 10).astype("int32")
    infer = timed(lambda: model.predict_on_batch(x), args.warmup, args.reps)
    step = timed(lambda: model.train_on_batch(x, y), args.warmup, args.reps)
    print(json.dumps({
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "jit_compile": bool(model.jit_compile),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
        "intra_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "infer": infer,
        "step": step,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
