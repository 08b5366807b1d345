# SPDX-License-Identifier: MIT
# Opens one model's exports with the tools their users run and prints what each predicts, as JSON:
# Keras 3 load_model (.keras, .h5), model.load_weights (legacy .h5, Keras 3 .weights.h5),
# TensorFlow's tf.lite.Interpreter (.tflite), onnx.checker full_check + onnxruntime (.onnx).
# Every input goes through preprocessing.json as a user would apply it; labels.txt gives the order.
# Usage: python check_exports.py EXPORT_ROOT...   or EXPORT_ROOT lines on stdin
# (each EXPORT_ROOT holds keras/ h5/ tflite/ onnx/ pixels.json)
import json
import os
import sys
import tempfile
import traceback
import warnings
import zipfile

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import keras  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.saving import serialization_lib  # noqa: E402

# Keras progress bars (the snippets call predict as users do) go to stderr; stdout is the JSON only.
out = sys.stdout
sys.stdout = sys.stderr


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k != "shared_object_id"}
    if isinstance(o, (list, tuple)):
        return [strip(v) for v in o]
    return o


def config_diffs(ours, theirs, path="", out=None):
    """Where Keras's own serialisation of the loaded model differs from the exported config.json."""
    out = [] if out is None else out
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for k in sorted(set(ours) | set(theirs)):
            if k not in ours:
                out.append(f"{path}.{k}: missing (Keras writes {json.dumps(theirs[k])[:120]})")
            elif k not in theirs:
                out.append(f"{path}.{k}: extra ({json.dumps(ours[k])[:120]})")
            else:
                config_diffs(ours[k], theirs[k], f"{path}.{k}", out)
    elif isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            config_diffs(a, b, f"{path}[{i}]", out)
    elif ours != theirs:
        out.append(f"{path}: ours {json.dumps(ours)[:120]}, Keras {json.dumps(theirs)[:120]}")
    return out


def check(root):
    """Everything the Python side checks for one model's exports; returns the JSON-ready report."""
    px = json.load(open(os.path.join(root, "pixels.json")))
    raw = np.array(px["pixels"], dtype=np.float32).reshape(px["shape"])

    def preprocessed(folder):
        """x' = (x * scale + offset - mean) / std after colorOrder, exactly as preprocessing.json says."""
        p = json.load(open(os.path.join(root, folder, "preprocessing.json")))
        assert p["layout"] == "NHWC" and p["inputShape"] == list(raw.shape[1:]), p
        x = raw[..., ::-1] if p["colorOrder"] == "BGR" else raw
        mean = np.array(p["mean"], dtype=np.float32)
        std = np.array(p["std"], dtype=np.float32)
        return ((x * np.float32(p["scale"]) + np.float32(p["offset"]) - mean) / std).astype(np.float32)

    def labels(folder):
        return open(os.path.join(root, folder, "labels.txt"), encoding="utf-8").read().splitlines()

    def snippet(fmt):
        """The format's model-card snippet, run as written in its export folder (x: raw 0..255 RGB, NHWC)."""
        card = open(os.path.join(root, fmt, "model-card.md"), encoding="utf-8").read()
        marker = f"```python {fmt}\n"
        assert marker in card, f"{fmt}/model-card.md has no python snippet"
        code = card.split(marker, 1)[1].split("```", 1)[0]
        cwd = os.getcwd()
        os.chdir(os.path.join(root, fmt))
        try:
            scope = {"x": raw.copy()}
            exec(code, scope)  # noqa: S102 - the snippet is ours, and running it is the test
            return scope
        finally:
            os.chdir(cwd)

    res = {"probs": {}, "labels": {}}
    # .keras and legacy .h5: the model card's snippets are keras.saving.load_model + predict, so
    # running them is the load_model check; the loaded model is then compared with config.json.
    keras_file = os.path.join(root, "keras", "model.keras")
    k = snippet("keras")
    res["probs"]["keras"] = np.asarray(k["probs"]).tolist()
    res["labels"]["keras"] = labels("keras")
    m = k["model"]
    ours = strip(json.loads(zipfile.ZipFile(keras_file).read("config.json")))
    res["keras_config_diffs"] = config_diffs(ours, strip(json.loads(json.dumps(serialization_lib.serialize_keras_object(m)))))[:20]
    h = snippet("h5")
    res["probs"]["h5"] = np.asarray(h["probs"]).tolist()
    res["labels"]["h5"] = labels("h5")

    # The weights files Keras itself loads, into one model it built from the config (each load
    # replaces every weight). Called eagerly: predict's graph tracing adds seconds and nothing here.
    fresh = keras.Model.from_config(m.get_config())
    with tempfile.TemporaryDirectory() as tmp:
        w = os.path.join(tmp, "model.weights.h5")
        with open(w, "wb") as f:
            f.write(zipfile.ZipFile(keras_file).read("model.weights.h5"))
        fresh.load_weights(w)
    res["probs"]["keras.weights.h5 (load_weights)"] = np.asarray(fresh(preprocessed("keras"), training=False)).tolist()
    fresh.load_weights(os.path.join(root, "h5", "model.h5"))
    res["probs"]["h5 (load_weights)"] = np.asarray(fresh(preprocessed("h5"), training=False)).tolist()

    # .tflite in TensorFlow's interpreter, one image per invoke (the file's batch is 1); then the
    # card's snippet, which predicts x[:1].
    it = tf.lite.Interpreter(model_path=os.path.join(root, "tflite", "model.tflite"))
    it.allocate_tensors()
    inp, outp = it.get_input_details()[0], it.get_output_details()[0]
    xs = preprocessed("tflite")
    rows = []
    for i in range(xs.shape[0]):
        it.set_tensor(inp["index"], xs[i : i + 1])
        it.invoke()
        rows.append(it.get_tensor(outp["index"])[0].tolist())
    res["probs"]["tflite"] = rows
    res["labels"]["tflite"] = labels("tflite")
    res["probs"]["tflite (model card snippet)"] = np.asarray(snippet("tflite")["probs"]).tolist()

    # ONNX: the official checker with full_check (shape inference), then the card's onnxruntime snippet.
    onnx.checker.check_model(onnx.load(os.path.join(root, "onnx", "model.onnx")), full_check=True)
    res["probs"]["onnx"] = np.asarray(snippet("onnx")["probs"]).tolist()
    res["labels"]["onnx"] = labels("onnx")
    return res


VERSIONS = {"keras": keras.__version__, "tensorflow": tf.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__}

# One root per argument, or (no arguments) one root per stdin line: the test keeps one process for
# the whole suite, so TensorFlow is imported once. One JSON line out per root.
for line in sys.argv[1:] or sys.stdin:
    root = line.strip()
    if not root:
        continue
    try:
        report = {"versions": VERSIONS, **check(root)}
    except Exception:  # noqa: BLE001 - the test prints it, naming the root
        report = {"error": f"{root}: {traceback.format_exc()}"}
    out.write(json.dumps(report) + "\n")
    out.flush()
