// SPDX-License-Identifier: MIT
// The model card's "Load and predict" section: three lines per format that load the exported file
// with the tool its users run and apply preprocessing.json to `x`, a batch of 0..255 RGB images
// (NHWC) resized to the model's input. test/interop runs every snippet as written (the TF.js one in
// Chromium, with the tfjs release the app was built with).
import * as tf from '@tensorflow/tfjs';
import type { ExportFormat } from './types';

export interface SnippetInput {
  format: ExportFormat;
  inputSize: number;
  /** Names in the export (to pick the model file and see whether transfer-studio-layers.js ships). */
  files: readonly string[];
  /** Layer classes outside keras.layers (legacy .h5 needs them passed as custom_objects). */
  kerasCustom: readonly string[];
}

/** preprocessing.json applied in numpy: colour order, then (x * scale + offset - mean) / std. */
const PY_PRE = "(((x[..., ::-1] if p['colorOrder'] == 'BGR' else x) * p['scale'] + p['offset'] - np.array(p['mean'])) / np.array(p['std'])).astype(np.float32)";
const PY_READ = "p = json.load(open('preprocessing.json'))";

/** Where Keras keeps the classes of its applications that keras.layers does not export. */
const KERAS_CUSTOM_MODULES: Record<string, string> = { CustomScaleLayer: 'keras.src.applications.inception_resnet_v2' };

function fence(lang: string, lines: string[]): string[] {
  return ['```' + lang, ...lines, '```'];
}

/** Markdown lines for the export's own format; none for the training package (its README says how). */
export function loadSnippet(s: SnippetInput): string[] {
  const intro = [`\`x\` is a batch of RGB images, 0..255, shape [n, ${s.inputSize}, ${s.inputSize}, 3]; \`probs\` follows labels.txt.`, ''];
  switch (s.format) {
    case 'keras':
      return [...intro, ...fence('python keras', ['import json, keras, numpy as np', `${PY_READ}; model = keras.saving.load_model('model.keras')`, `probs = model.predict(${PY_PRE})`])];
    case 'h5': {
      const custom = s.kerasCustom.filter((c) => KERAS_CUSTOM_MODULES[c]);
      const imports = custom.map((c) => `from ${KERAS_CUSTOM_MODULES[c]} import ${c}`);
      const objects = custom.length ? `, custom_objects={${custom.map((c) => `'${c}': ${c}`).join(', ')}}` : '';
      const head = ['import json, keras, numpy as np', ...imports].join('; ');
      return [...intro, ...fence('python h5', [head, `${PY_READ}; model = keras.saving.load_model('model.h5'${objects})`, `probs = model.predict(${PY_PRE})`])];
    }
    case 'tflite': {
      const file = s.files.find((f) => f.endsWith('.tflite')) ?? 'model.tflite';
      return [
        `\`x\` is a batch of RGB images, 0..255, shape [n, ${s.inputSize}, ${s.inputSize}, 3]; the file takes one image per call, so this predicts \`x[:1]\`.`,
        '',
        ...fence('python tflite', [
          'import json, numpy as np, tensorflow as tf',
          `${PY_READ}; it = tf.lite.Interpreter(model_path='${file}'); it.allocate_tensors()`,
          `it.set_tensor(it.get_input_details()[0]['index'], ${PY_PRE}[:1]); it.invoke(); probs = it.get_tensor(it.get_output_details()[0]['index'])`,
        ]),
      ];
    }
    case 'onnx':
      return [
        ...intro,
        ...fence('python onnx', ['import json, numpy as np, onnxruntime as ort', `${PY_READ}; session = ort.InferenceSession('model.onnx')`, `probs = session.run(None, {session.get_inputs()[0].name: ${PY_PRE}})[0]`]),
      ];
    case 'tfjs': {
      const layers = s.files.includes('transfer-studio-layers.js') ? '<script src="transfer-studio-layers.js"></script>' : '';
      // './model.json', not 'model.json': tfjs fetches the weight shards from the part of the URL
      // before its last '/', which for a bare name is the site root.
      return [
        `In a web page served over HTTP; \`pixels\` is a Float32Array of n RGB images, 0..255, ${s.inputSize}x${s.inputSize}, interleaved.`,
        '',
        ...fence('html', [
          `<script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@${tf.version.tfjs}/dist/tf.min.js"></script>${layers}`,
          "<script type=\"module\">const p = await (await fetch('preprocessing.json')).json(); const model = await tf.loadLayersModel('./model.json');",
          `const t = tf.tensor4d(pixels, [pixels.length / ${s.inputSize * s.inputSize * 3}, ${s.inputSize}, ${s.inputSize}, 3]); const probs = model.predict((p.colorOrder === 'BGR' ? t.reverse(-1) : t).mul(p.scale).add(p.offset).sub(p.mean).div(p.std));</script>`,
        ]),
      ];
    }
    case 'package':
      return ['See README.md in this package: train.py trains it further; the result comes back with `transfer-studio runs import`.'];
  }
}
