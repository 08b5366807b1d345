// SPDX-License-Identifier: MIT
// The Python side of the training package: a Keras 3 / TensorFlow script that continues the run's
// recipe on more hardware with tf.distribute, and the README that says how to run it and how to
// bring the result back into the app.

/** Recipe values the script starts from (the run's settings, with safe defaults). */
export interface Recipe {
  epochs: number;
  batch: number;
  lr: number;
  optimizer: string;
  momentum: number;
  labelSmoothing: number;
  imageSize: number;
  seed: number;
}

export function recipeFrom(training: Record<string, unknown> | undefined, inputSize: number): Recipe {
  const t = training ?? {};
  const num = (k: string, d: number) => (typeof t[k] === 'number' && Number.isFinite(t[k]) ? (t[k] as number) : d);
  return {
    epochs: num('epochs', 10),
    batch: num('batch', 32),
    lr: num('lr', 1e-3),
    optimizer: typeof t.optimizer === 'string' ? t.optimizer : 'adam',
    momentum: num('momentum', 0.9),
    labelSmoothing: num('labelSmoothing', 0),
    imageSize: inputSize,
    seed: num('seed', 42),
  };
}

/** train.py: reads manifest.json + preprocessing.json next to it, trains model.keras further. */
export function trainScript(r: Recipe): string {
  return `#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Continue a Transfer Studio run with Keras 3 + TensorFlow on one or many machines.

One machine, all its GPUs:     python train.py --data-root /path/to/dataset
Several machines:               set TF_CONFIG on each worker (see README.md), then run the same command.
The result is trained.keras (and trained.weights.h5) in --out; import it back with
    transfer-studio weights import trained.weights.h5 --model NAME
"""
import argparse
import json
import os

import tensorflow as tf
import keras

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", required=True, help="folder the manifest's image paths are relative to")
    p.add_argument("--model", default=os.path.join(HERE, "model.keras"))
    p.add_argument("--manifest", default=os.path.join(HERE, "manifest.json"))
    p.add_argument("--preprocessing", default=os.path.join(HERE, "preprocessing.json"))
    p.add_argument("--out", default=os.path.join(HERE, "output"))
    p.add_argument("--epochs", type=int, default=${r.epochs})
    p.add_argument("--batch", type=int, default=${r.batch}, help="global batch size (split across replicas)")
    p.add_argument("--lr", type=float, default=${r.lr})
    p.add_argument("--optimizer", default=${JSON.stringify(r.optimizer)}, choices=["adam", "adamw", "sgd", "rmsprop"])
    p.add_argument("--momentum", type=float, default=${r.momentum})
    p.add_argument("--label-smoothing", type=float, default=${r.labelSmoothing})
    p.add_argument("--seed", type=int, default=${r.seed})
    return p.parse_args()


def strategy():
    # TF_CONFIG names the cluster: several machines train as one (synchronous all-reduce).
    if os.environ.get("TF_CONFIG"):
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.MirroredStrategy()


def dataset(items, labels, prep, size, batch, training, seed):
    paths = [os.path.join(ARGS.data_root, it["path"]) for it in items]
    ys = [labels.index(it["label"]) for it in items]
    mean = tf.constant(prep["mean"], tf.float32)
    std = tf.constant(prep["std"], tf.float32)

    def load(path, y):
        img = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        img = tf.image.resize(tf.cast(img, tf.float32), [size, size], antialias=True)
        if training:
            img = tf.image.random_flip_left_right(img, seed=seed)
        if prep["colorOrder"] == "BGR":
            img = img[..., ::-1]
        img = (img * prep["scale"] + prep["offset"] - mean) / std
        return img, tf.one_hot(y, len(labels))

    ds = tf.data.Dataset.from_tensor_slices((paths, ys))
    if training:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    return ds.map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(batch).prefetch(tf.data.AUTOTUNE)


def optimizer(name, lr, momentum):
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=momentum)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate=lr)
    return keras.optimizers.Adam(learning_rate=lr)


def main():
    keras.utils.set_random_seed(ARGS.seed)
    with open(ARGS.manifest) as f:
        manifest = json.load(f)
    with open(ARGS.preprocessing) as f:
        prep = json.load(f)
    labels = manifest["labels"]
    size = prep["inputSize"]
    train = [it for it in manifest["images"] if it["split"] == "train"]
    val = [it for it in manifest["images"] if it["split"] == "validation"]
    s = strategy()
    print(f"replicas: {s.num_replicas_in_sync}, train images: {len(train)}, validation images: {len(val)}")
    with s.scope():
        model = keras.models.load_model(ARGS.model, compile=False)
        model.compile(
            optimizer=optimizer(ARGS.optimizer, ARGS.lr, ARGS.momentum),
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=ARGS.label_smoothing),
            metrics=["accuracy"],
        )
    train_ds = dataset(train, labels, prep, size, ARGS.batch, True, ARGS.seed)
    val_ds = dataset(val, labels, prep, size, ARGS.batch, False, ARGS.seed) if val else None
    os.makedirs(ARGS.out, exist_ok=True)
    callbacks = [keras.callbacks.BackupAndRestore(os.path.join(ARGS.out, "backup"))]
    model.fit(train_ds, validation_data=val_ds, epochs=ARGS.epochs, callbacks=callbacks)
    # Only the chief writes the results; the other workers write to throwaway folders.
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    chief = task.get("type", "chief") == "chief" or (task.get("type") == "worker" and task.get("index", 0) == 0)
    out = ARGS.out if chief else os.path.join(ARGS.out, f"worker-{task.get('index', 0)}")
    os.makedirs(out, exist_ok=True)
    model.save(os.path.join(out, "trained.keras"))
    model.save_weights(os.path.join(out, "trained.weights.h5"))
    print("saved", os.path.join(out, "trained.keras"))


if __name__ == "__main__":
    ARGS = parse_args()
    main()
`;
}

/** README.md for the package. */
export function packageReadme(o: { modelName: string; labels: string[]; counts: Record<string, number>; recipe: Recipe }): string {
  const r = o.recipe;
  return `# Training package: ${o.modelName}

Continue training this Transfer Studio model where there is more compute, then bring it back.

## Contents

- \`model.keras\`: the model (Keras 3), layer names as in Keras Applications
- \`manifest.json\`, \`manifest.csv\`: every image (path relative to the dataset root), its label and split
  (train ${o.counts.train ?? 0}, validation ${o.counts.validation ?? 0}, test ${o.counts.test ?? 0}, unassigned ${o.counts.none ?? 0})
- \`labels.txt\`, \`preprocessing.json\`: class order and input preprocessing (the script applies it)
- \`train.py\`: the training script (${r.optimizer}, lr ${r.lr}, batch ${r.batch}, ${r.epochs} epochs by default)
- \`model-card.md\`, \`model-card.html\`: what the model is and how it did

## Run on one machine with several GPUs (MirroredStrategy)

\`\`\`sh
pip install "tensorflow>=2.16" "keras>=3"
python train.py --data-root /path/to/dataset --epochs ${r.epochs}
\`\`\`

## Run across machines (MultiWorkerMirroredStrategy)

Copy the dataset and this folder to every machine. On each, set \`TF_CONFIG\` with the same cluster and its own index:

\`\`\`sh
export TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'
python train.py --data-root /path/to/dataset
\`\`\`

Worker 0 writes \`output/trained.keras\` and \`output/trained.weights.h5\`; \`--batch\` is the global batch size.

## Bring the result back

\`\`\`sh
transfer-studio weights import output/trained.weights.h5 --model ${o.modelName}
\`\`\`

or import \`output/trained.keras\` the same way. Classes (${o.labels.length}): ${o.labels.join(', ')}.
`;
}
