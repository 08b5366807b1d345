#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Continue a Transfer Studio run with Keras 3 + TensorFlow, on one machine or many.

One machine, all its GPUs (MirroredStrategy):
    python train.py --data-root /path/to/dataset
Several machines (MultiWorkerMirroredStrategy): set TF_CONFIG on each worker (README.md), then
run the same command on every one of them.

The recipe is the run's own, read from manifest.json: the freeze boundary, phase 1 (new head on
a frozen backbone), phase 2 (the top blocks unfrozen at a lower learning rate), augmentation,
preprocessing, class weights, label smoothing, optimizer, schedule and seed. Flags override it.
Each phase backs up to output/backup/ at every epoch end (BackupAndRestore): run the same command
again after a crash and it resumes from the last finished epoch. Worker 0 writes
output/trained.keras, output/trained.weights.h5 and output/manifest.json; bring them back with
    transfer-studio runs import output
"""
import argparse
import hashlib
import json
import math
import os
import sys
import tempfile
import time
import zipfile

import tensorflow as tf
import keras

HERE = os.path.dirname(os.path.abspath(__file__))
RESULT_FORMAT = "transfer-studio.package-result"


def parse_args(recipe):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", required=True, help="folder the manifest's image paths are relative to")
    p.add_argument("--model", default=os.path.join(HERE, "model.keras"))
    p.add_argument("--out", default=os.path.join(HERE, "output"))
    p.add_argument("--epochs", type=int, default=recipe["phases"][0]["epochs"], help="phase-1 epochs (head on the frozen backbone)")
    p.add_argument("--fine-tune-epochs", type=int, default=recipe["phases"][1]["epochs"], help="phase-2 epochs (0 skips phase 2)")
    p.add_argument("--fine-tune-blocks", type=int, default=recipe["fineTuneBlocks"], help="backbone blocks phase 2 unfreezes, from the top")
    p.add_argument("--lr", type=float, default=recipe["phases"][0]["lr"])
    p.add_argument("--fine-tune-lr", type=float, default=recipe["phases"][1]["lr"])
    p.add_argument("--batch", type=int, default=recipe["batch"], help="global batch size (split across replicas and workers)")
    p.add_argument("--seed", type=int, default=recipe["seed"])
    p.add_argument("--no-augment", action="store_true", help="turn the run's augmentation off")
    p.add_argument("--backup-every", type=int, default=0, help="also back up every N batches (default: at epoch ends only)")
    return p.parse_args()


def log(event, **fields):
    # One JSON object a line, so a person can read it and a test can parse it.
    print(json.dumps({"event": event, **fields}), flush=True)


def cluster_task():
    cfg = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = cfg.get("task", {})
    workers = len(cfg.get("cluster", {}).get("worker", [])) + len(cfg.get("cluster", {}).get("chief", []))
    kind, index = task.get("type", "worker"), int(task.get("index", 0))
    # Keras's convention: the chief, or worker 0 when the cluster has no chief, writes the results.
    chief = kind == "chief" or (kind == "worker" and index == 0 and "chief" not in cfg.get("cluster", {}))
    return {"type": kind, "index": index, "workers": max(1, workers), "chief": chief, "multi": bool(cfg)}


def make_strategy(task):
    if task["multi"]:
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.MirroredStrategy()


# Augmentation: the app's transforms (src/engine/data/augment.ts) in the same order on 0..255 RGB,
# drawn from stateless seeds so one --seed gives one stream of images on every machine.
def random_resized_crop(img, size, scale, ratio, seed):
    area = float(size * size)
    s = tf.random.stateless_uniform([10], seed, scale[0], scale[1])
    r = tf.exp(tf.random.stateless_uniform([10], seed + [0, 1], math.log(ratio[0]), math.log(ratio[1])))
    w = tf.round(tf.sqrt(area * s * r))
    h = tf.round(tf.sqrt(area * s / r))
    ok = (w > 0) & (h > 0) & (w <= size) & (h <= size)
    first = tf.argmax(tf.cast(ok, tf.int32))
    cw = tf.cast(tf.where(tf.reduce_any(ok), w[first], size), tf.int32)
    ch = tf.cast(tf.where(tf.reduce_any(ok), h[first], size), tf.int32)
    u = tf.random.stateless_uniform([2], seed + [0, 2])
    x0 = tf.cast(u[0] * tf.cast(size - cw + 1, tf.float32), tf.int32)
    y0 = tf.cast(u[1] * tf.cast(size - ch + 1, tf.float32), tf.int32)
    return crop_resize(img, size, x0, y0, cw, ch)


def crop_resize(img, size, x0, y0, w, h):
    # The app crops, then resizes bilinearly with half-pixel centres, as tf.image.resize does.
    return tf.image.resize(img[y0:y0 + h, x0:x0 + w], [size, size], method="bilinear")


def rotate(img, size, degrees, fill):
    # Keras RandomRotation's transform (counter-clockwise about the centre, bilinear), built here
    # from a stateless angle because a layer's seed generator cannot live inside tf.data.
    a = degrees * math.pi / 180.0
    c, s, n = tf.cos(a), tf.sin(a), float(size - 1)
    t = tf.stack([c, -s, (n - (c * n - s * n)) / 2, s, c, (n - (s * n + c * n)) / 2, 0.0, 0.0])[None]
    out = tf.raw_ops.ImageProjectiveTransformV3(images=img[None], transforms=t, output_shape=[size, size], fill_value=0.0,
                                                interpolation="BILINEAR", fill_mode=fill.upper())
    return out[0]


def augment(img, cfg, size, seed):
    if cfg.get("randomResizedCrop"):
        rrc = cfg["randomResizedCrop"]
        img = random_resized_crop(img, size, rrc.get("scale", [0.08, 1]), rrc.get("ratio", [0.75, 4 / 3]), seed + [1, 0])
    if cfg.get("flipHorizontal"):
        img = tf.image.stateless_random_flip_left_right(img, seed + [2, 0])
    if cfg.get("flipVertical"):
        img = tf.image.stateless_random_flip_up_down(img, seed + [3, 0])
    if cfg.get("rotation"):
        img = rotate(img, size, tf.random.stateless_uniform([], seed + [4, 0], -cfg["rotation"], cfg["rotation"]), cfg.get("fill", "reflect"))
    if cfg.get("brightness"):
        delta = tf.random.stateless_uniform([], seed + [5, 0], -cfg["brightness"], cfg["brightness"]) * 255.0
        img = tf.clip_by_value(img + delta, 0.0, 255.0)
    if cfg.get("contrast"):
        c = cfg["contrast"]
        img = tf.clip_by_value(tf.image.adjust_contrast(img, tf.random.stateless_uniform([], seed + [6, 0], 1 - c, 1 + c)), 0.0, 255.0)
    return img


def make_dataset(items, labels, prep, batch, augment_cfg, seed, shuffle):
    size = prep["inputSize"]
    paths = [os.path.join(ARGS.data_root, it["path"]) for it in items]
    ys = [labels.index(it["label"]) for it in items]
    mean = tf.constant(prep["mean"], tf.float32)
    std = tf.constant(prep["std"], tf.float32)

    def load(path, y, rnd):
        img = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        # Bilinear without antialiasing: what the app's decoder and image_dataset_from_directory do.
        img = tf.image.resize(tf.cast(img, tf.float32), [size, size], method="bilinear")
        if augment_cfg:
            img = augment(img, augment_cfg, size, tf.cast(rnd, tf.int32))
        if prep["colorOrder"] == "BGR":
            img = img[..., ::-1]
        img = (img * prep["scale"] + prep["offset"] - mean) / std
        return img, tf.one_hot(y, len(labels))

    ds = tf.data.Dataset.from_tensor_slices((paths, ys))
    if shuffle:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    rnd = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
    ds = tf.data.Dataset.zip((ds, rnd)).map(lambda a, r: load(a[0], a[1], r % 2**31), num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    # Paths, not files, are the elements: every worker reads its share of the batches.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.batch(batch).prefetch(tf.data.AUTOTUNE).with_options(options)


@keras.saving.register_keras_serializable(package="transfer_studio")
class RecipeSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The app's per-batch schedule (src/engine/train/schedule.ts): warm-up, then constant, cosine or step."""

    def __init__(self, name, base_lr, steps_per_epoch, epochs, warmup_epochs=0.0, step_every=10, step_gamma=0.1):
        self.kind, self.base, self.spe, self.epochs = name, base_lr, max(1, steps_per_epoch), epochs
        self.warm, self.every, self.gamma = round(max(0.0, warmup_epochs) * self.spe), max(1, step_every), step_gamma

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        total = float(max(1, self.spe * self.epochs))
        if self.kind == "cosine":
            t = tf.minimum(1.0, (step - self.warm) / max(1.0, total - self.warm))
            lr = 0.5 * self.base * (1 + tf.cos(math.pi * t))
        elif self.kind == "step":
            lr = self.base * tf.pow(self.gamma, tf.floor(tf.floor(step / self.spe) / self.every))
        else:
            lr = tf.constant(self.base, tf.float32)
        if self.warm > 0:
            lr = tf.where(step < self.warm, self.base * (step + 1) / self.warm, lr)
        return lr

    def get_config(self):
        return {"name": self.kind, "base_lr": self.base, "steps_per_epoch": self.spe, "epochs": self.epochs,
                "warmup_epochs": self.warm / self.spe, "step_every": self.every, "step_gamma": self.gamma}


def make_optimizer(recipe, lr):
    name = recipe["optimizer"]
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=recipe["momentum"])
    return keras.optimizers.Adam(learning_rate=lr)


def class_weights(recipe, labels, train):
    cw = recipe["classWeights"]
    if cw == "balanced":
        # compute_class_weight('balanced'): n / (k * count), as the app computes it.
        counts = [sum(1 for it in train if it["label"] == c) for c in labels]
        return {i: (len(train) / (len(labels) * n) if n else 0.0) for i, n in enumerate(counts)}
    return {i: float(w) for i, w in enumerate(cw)} if cw else None


def set_trainable(model, recipe, frozen_blocks):
    frozen = {name for block in recipe["blocks"][:frozen_blocks] for name in block["layers"]}
    for layer in model.layers:
        layer.trainable = layer.name not in frozen
        # A pretrained backbone's BatchNormalization stays in inference mode (trainable=False in
        # Keras 3), as the app trains it and as Keras's fine-tuning guide advises.
        if recipe["bnInference"] and isinstance(layer, keras.layers.BatchNormalization) and not layer.name.startswith("head_"):
            layer.trainable = False
    return len(frozen)


class Progress(keras.callbacks.Callback):
    def __init__(self, phase):
        super().__init__()
        self.phase, self.t0, self.history = phase, time.time(), []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.time()
        log("epoch_begin", phase=self.phase, epoch=epoch + 1)

    def on_train_batch_end(self, batch, logs=None):
        log("batch", phase=self.phase, batch=batch + 1, loss=float((logs or {}).get("loss", float("nan"))))

    def on_epoch_end(self, epoch, logs=None):
        rec = {k: float(v) for k, v in (logs or {}).items()}
        rec.update(phase=self.phase, epoch=epoch + 1, seconds=round(time.time() - self.t0, 3))
        self.history.append(rec)
        log("epoch", **rec)


def backup_state(backup_dir):
    meta = os.path.join(backup_dir, "training_metadata.json")
    if not os.path.exists(meta):
        return None
    with open(meta) as f:
        return json.load(f)


def run_phase(model, recipe, phase, lr, epochs, frozen_blocks, data, task, cw):
    if epochs <= 0:
        return []
    frozen = set_trainable(model, recipe, frozen_blocks)
    sched = recipe["schedule"]
    steps = math.ceil(data["n_train"] / ARGS.batch)
    lr_fn = RecipeSchedule(sched["name"], lr, steps, epochs, sched.get("warmupEpochs") or 0, sched.get("stepEvery") or 10, sched.get("stepGamma") or 0.1)
    model.compile(
        optimizer=make_optimizer(recipe, lr_fn),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe["labelSmoothing"]),
        metrics=["accuracy"],
    )
    # One backup folder per worker: Keras 3 writes the backup from every worker, and two
    # processes must never write one file. Kept after the phase, so a rerun skips finished work.
    backup = os.path.join(ARGS.out, "backup", f"phase-{phase}", f"{task['type']}-{task['index']}")
    state = backup_state(backup)
    if state:
        log("restore", phase=phase, epoch=state["epoch"], backup=backup)
    log("phase", phase=phase, epochs=epochs, lr=lr, frozen_layers=frozen, trainable_params=int(sum(math.prod(w.shape) for w in model.trainable_weights)))
    progress = Progress(phase)
    callbacks = [keras.callbacks.BackupAndRestore(backup, save_freq=ARGS.backup_every or "epoch", double_checkpoint=True, delete_checkpoint=False), progress]
    if data["val"] is not None:
        # As the app: the epoch with the lowest validation loss is what the phase keeps; patience
        # 0 means no early stop.
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=recipe["patience"] or epochs + 1, restore_best_weights=True))
    model.fit(data["train"], validation_data=data["val"], epochs=epochs, class_weight=cw, callbacks=callbacks, verbose=0)
    return progress.history


def patch_multi_worker(model, strategy):
    """Two fixes without which Keras 3 (3.15 included) cannot fit() under MultiWorkerMirroredStrategy
    (keras-team/keras#20585): _maybe_symbolic_build MEAN-reduces the first distributed batch, which
    the collective strategy refuses in eager mode, and reduce_per_replica MEAN-reduces the scalar
    logs along axis 0, which a scalar lacks. Only the batch's shapes matter to the first (so the
    first replica's slice does), and the mean over replicas is what the second means to compute."""
    from keras.src.backend.tensorflow import trainer as tf_trainer

    def build(iterator=None, data_batch=None):
        if iterator is not None:
            for *_, it in iterator:
                batch = next(it)
                data_batch = tf.nest.map_structure(
                    lambda v: strategy.experimental_local_results(v)[0] if isinstance(v, tf.distribute.DistributedValues) else v, batch)
                break
        with strategy.scope():
            model._symbolic_build(data_batch=data_batch)

    object.__setattr__(model, "_maybe_symbolic_build", build)
    original = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strat, reduction="auto"):
        if reduction in ("auto", "mean") and tf_trainer._collective_all_reduce_multi_worker(strat):
            return tf.nest.map_structure(lambda v: strat.reduce("MEAN", v, axis=None), values)
        return original(values, strat, reduction)

    tf_trainer.reduce_per_replica = reduce_per_replica


def load_model(path):
    try:
        return keras.saving.load_model(path, compile=False)
    except ValueError as err:
        if "KerasSaveable" not in str(err):
            raise
    # Packages exported before the fix to issue 18 name the model class's module "keras";
    # Keras 3.15 wants keras.src.models.functional. Rewrite that one field and load again.
    fixed = os.path.join(tempfile.mkdtemp(prefix="train-py-"), "model.keras")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "config.json":
                cfg = json.loads(data)
                cfg["module"] = "keras.src.models.functional"
                data = json.dumps(cfg).encode()
            dst.writestr(name, data)
    log("note", message=f"{path}: rewrote config.json module to keras.src.models.functional to load it")
    return keras.saving.load_model(fixed, compile=False)


def save_atomic(path, write):
    # A killed worker leaves a .tmp file at most, never a half result under the final name; the
    # temporary name keeps the suffix Keras checks (.keras, .weights.h5).
    folder, name = os.path.split(path)
    stem, rest = name.split(".", 1)
    tmp = os.path.join(folder, f"{stem}.tmp.{rest}")
    write(tmp)
    os.replace(tmp, path)


def write_json(obj):
    def write(path):
        with open(path, "w") as f:
            json.dump(obj, f, indent=2)
    return write


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    task = cluster_task()
    strategy = make_strategy(task)  # before any other TensorFlow op, as MultiWorkerMirroredStrategy needs
    recipe = MANIFEST["recipe"]
    keras.utils.set_random_seed(ARGS.seed)
    with open(os.path.join(HERE, "preprocessing.json")) as f:
        prep = json.load(f)
    labels = MANIFEST["labels"]
    train = [it for it in MANIFEST["images"] if it["split"] == "train"]
    val = [it for it in MANIFEST["images"] if it["split"] == "validation"]
    if not train:
        sys.exit(f"{os.path.join(HERE, 'manifest.json')} lists no training images")
    missing = [it["path"] for it in train + val if not os.path.exists(os.path.join(ARGS.data_root, it["path"]))]
    if missing:
        sys.exit(f"--data-root {ARGS.data_root} lacks {len(missing)} image(s) of manifest.json, e.g. {missing[0]}")
    os.makedirs(ARGS.out, exist_ok=True)
    aug = None if ARGS.no_augment else recipe["augment"]
    data = {
        "n_train": len(train),
        "train": make_dataset(train, labels, prep, ARGS.batch, aug, ARGS.seed, True),
        "val": make_dataset(val, labels, prep, ARGS.batch, None, ARGS.seed, False) if val else None,
    }
    log("start", replicas=strategy.num_replicas_in_sync, workers=task["workers"], task=f"{task['type']}-{task['index']}",
        strategy=type(strategy).__name__, train=len(train), validation=len(val), tensorflow=tf.__version__, keras=keras.__version__)
    cw = class_weights(recipe, labels, train)
    with strategy.scope():
        model = load_model(ARGS.model)
        if task["multi"]:
            patch_multi_worker(model, strategy)
        blocks = len(recipe["blocks"])
        until = recipe["freezeUntil"]
        names = [b["name"] for b in recipe["blocks"]]
        frozen1 = blocks if until == "all" else 0 if until == "none" else names.index(until) + 1
        history = run_phase(model, recipe, 1, ARGS.lr, ARGS.epochs, frozen1, data, task, cw)
        history += run_phase(model, recipe, 2, ARGS.fine_tune_lr, ARGS.fine_tune_epochs, max(0, blocks - ARGS.fine_tune_blocks), data, task, cw)
    # Save an uncompiled copy: the result should load anywhere with plain Keras, without this
    # script's schedule class or the distributed optimizer's state.
    trained = keras.Model.from_config(model.get_config())
    trained.set_weights(model.get_weights())
    for layer in trained.layers:
        layer.trainable = True
    # Every worker saves (some strategies need all of them in the call); only the chief's copy is
    # the result, the others go to a scratch folder.
    out = ARGS.out if task["chief"] else os.path.join(ARGS.out, "scratch", f"{task['type']}-{task['index']}")
    os.makedirs(out, exist_ok=True)
    save_atomic(os.path.join(out, "trained.keras"), trained.save)
    save_atomic(os.path.join(out, "trained.weights.h5"), trained.save_weights)
    result = {
        "format": RESULT_FORMAT,
        "version": 1,
        "runId": MANIFEST.get("runId"),
        "backbone": MANIFEST.get("backbone"),
        "labels": labels,
        "inputSize": prep["inputSize"],
        "preprocess": prep["mode"],
        "strategy": type(strategy).__name__,
        "replicas": strategy.num_replicas_in_sync,
        "workers": task["workers"],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "epochs": {"phase1": ARGS.epochs, "phase2": ARGS.fine_tune_epochs},
        "history": history,
        "files": {n: sha256(os.path.join(out, n)) for n in ("trained.keras", "trained.weights.h5")},
    }
    save_atomic(os.path.join(out, "manifest.json"), write_json(result))
    log("saved", dir=out, chief=task["chief"])


if __name__ == "__main__":
    with open(os.path.join(HERE, "manifest.json")) as f:
        MANIFEST = json.load(f)
    ARGS = parse_args(MANIFEST["recipe"])
    main()
