# SPDX-License-Identifier: MIT
"""The keras.io transfer-learning recipe in Keras 3 on TensorFlow CPU: peer of bench/cases/recipe-epoch.ts.

image_dataset_from_directory at the model's size (decodes every file every epoch, as the recipe
does), RandomFlip("horizontal") + RandomRotation(0.1), MobileNetV2 (weights=None: speed does not
depend on the values) frozen and called with training=False, global average pooling, dropout 0.2,
a Dense head; Adam 1e-3. Prints one JSON line with each epoch's wall seconds.
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.t0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=2)
    a = p.parse_args()
    ds = keras.utils.image_dataset_from_directory(a.dir, image_size=(a.size, a.size), batch_size=a.batch, shuffle=True, seed=1, verbose=False)
    classes = len(ds.class_names)
    images = sum(int(x.shape[0]) for x, _ in ds)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])
    base = keras.applications.MobileNetV2(input_shape=(a.size, a.size, 3), include_top=False, weights=None)
    base.trainable = False
    inputs = keras.Input(shape=(a.size, a.size, 3))
    x = augment(inputs)
    x = keras.applications.mobilenet_v2.preprocess_input(x)
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    model = keras.Model(inputs, layers.Dense(classes)(x))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(ds, epochs=a.epochs, verbose=0, callbacks=[timer])
    print(json.dumps({
        "images": images,
        "epoch_s": timer.seconds,
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "threads": os.cpu_count(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
