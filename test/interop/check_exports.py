# SPDX-License-Identifier: MIT
# Opens one model's exports with the tools their users run and prints what each predicts, as JSON:
# Keras 3 load_model (.keras, .h5), model.load_weights (legacy .h5, Keras 3 .weights.h5),
# TensorFlow's tf.lite.Interpreter (.tflite), onnx.checker full_check + onnxruntime (.onnx).
# Every input goes through preprocessing.json as a user would apply it; labels.txt gives the order.
# Usage: python check_exports.py EXPORT_ROOT   (EXPORT_ROOT holds keras/ h5/ tflite/ onnx/ pixels.json)
import json
import os
import sys
import tempfile
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

root = sys.argv[1]
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


res = {
    "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__},
    "probs": {},
    "labels": {},
}

# .keras: load_model, predict, and Keras's own serialisation of what it loaded vs our config.json.
keras_file = os.path.join(root, "keras", "model.keras")
m = keras.saving.load_model(keras_file)
res["probs"]["keras"] = m.predict(preprocessed("keras"), verbose=0).tolist()
res["labels"]["keras"] = labels("keras")
ours = strip(json.loads(zipfile.ZipFile(keras_file).read("config.json")))
res["keras_config_diffs"] = config_diffs(ours, strip(json.loads(json.dumps(serialization_lib.serialize_keras_object(m)))))[:20]

# The weights files Keras itself loads into a model it built from the config.
fresh = keras.Model.from_config(m.get_config())
with tempfile.TemporaryDirectory() as tmp:
    w = os.path.join(tmp, "model.weights.h5")
    with open(w, "wb") as f:
        f.write(zipfile.ZipFile(keras_file).read("model.weights.h5"))
    fresh.load_weights(w)
res["probs"]["keras.weights.h5 (load_weights)"] = fresh.predict(preprocessed("keras"), verbose=0).tolist()
fresh2 = keras.Model.from_config(m.get_config())
fresh2.load_weights(os.path.join(root, "h5", "model.h5"))
res["probs"]["h5 (load_weights)"] = fresh2.predict(preprocessed("h5"), verbose=0).tolist()

# Legacy .h5: load_model.
h = keras.saving.load_model(os.path.join(root, "h5", "model.h5"))
res["probs"]["h5"] = h.predict(preprocessed("h5"), verbose=0).tolist()
res["labels"]["h5"] = labels("h5")

# .tflite in TensorFlow's interpreter, one image per invoke (the file's batch is 1).
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

# ONNX: the official checker with full_check (shape inference), then onnxruntime.
onnx_file = os.path.join(root, "onnx", "model.onnx")
onnx.checker.check_model(onnx.load(onnx_file), full_check=True)
sess = ort.InferenceSession(onnx_file, providers=["CPUExecutionProvider"])
res["probs"]["onnx"] = sess.run(None, {sess.get_inputs()[0].name: preprocessed("onnx")})[0].tolist()
res["labels"]["onnx"] = labels("onnx")

# Each format's model-card snippet, run as written in its export folder (x: raw 0..255 RGB, NHWC).
for fmt in ["keras", "h5", "tflite", "onnx"]:
    card = open(os.path.join(root, fmt, "model-card.md"), encoding="utf-8").read()
    marker = f"```python {fmt}\n"
    if marker not in card:
        continue
    snippet = card.split(marker, 1)[1].split("```", 1)[0]
    cwd = os.getcwd()
    os.chdir(os.path.join(root, fmt))
    try:
        scope = {"x": raw.copy()}
        exec(snippet, scope)  # noqa: S102 - the snippet is ours, and running it is the test
        res["probs"][f"{fmt} (model card snippet)"] = np.asarray(scope["probs"]).tolist()
    finally:
        os.chdir(cwd)

out.write(json.dumps(res) + "\n")
