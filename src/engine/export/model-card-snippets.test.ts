// SPDX-License-Identifier: MIT
// The snippets themselves run in test/interop (Python in the tools, TF.js in Chromium); this checks
// what each format's text must say for a reader whose export differs from those fixtures.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadSnippet } from './model-card-snippets';

const base = { inputSize: 96, files: [] as string[], kerasCustom: [] as string[] };

describe('model card load-and-predict snippets', () => {
  it('gives three code lines per format, loading the file the export holds', () => {
    const cases = [
      ['keras', "keras.saving.load_model('model.keras')"],
      ['h5', "keras.saving.load_model('model.h5')"],
      ['tflite', "tf.lite.Interpreter(model_path='model-int8.tflite')"],
      ['onnx', "ort.InferenceSession('model.onnx')"],
      ['tfjs', "tf.loadLayersModel('./model.json')"],
    ] as const;
    for (const [format, load] of cases) {
      const lines = loadSnippet({ ...base, format, files: format === 'tflite' ? ['model-int8.tflite', 'labels.txt'] : [] });
      const open = lines.findIndex((l) => l.startsWith('```'));
      const close = lines.indexOf('```', open + 1);
      expect(close - open - 1, format).toBe(3);
      expect(lines.join('\n'), format).toContain(load);
      expect(lines.join('\n'), format).toContain(format === 'tfjs' ? '96x96' : '[n, 96, 96, 3]');
    }
  });

  it('passes custom_objects to a legacy .h5 load only for the classes keras.layers lacks', () => {
    const h5 = loadSnippet({ ...base, format: 'h5', kerasCustom: ['CustomScaleLayer'] }).join('\n');
    expect(h5).toContain('from keras.src.applications.inception_resnet_v2 import CustomScaleLayer');
    expect(h5).toContain("custom_objects={'CustomScaleLayer': CustomScaleLayer}");
    expect(loadSnippet({ ...base, format: 'h5' }).join('\n')).not.toContain('custom_objects');
  });

  it('loads transfer-studio-layers.js only when the export ships it, and tf.min.js of the release the app uses', () => {
    const page = (files: string[]) => loadSnippet({ ...base, format: 'tfjs', files }).join('\n');
    expect(page(['model.json', 'transfer-studio-layers.js'])).toContain('<script src="transfer-studio-layers.js"></script>');
    expect(page(['model.json'])).not.toContain('transfer-studio-layers.js');
    expect(page([])).toContain(`@tensorflow/tfjs@${tf.version.tfjs}/dist/tf.min.js`);
  });
});
