// SPDX-License-Identifier: MIT
// The lint rule that keeps model names in the registry: it matches every registry id, Keras name
// and `arch.tag` id, and ESLint reports such a literal anywhere in src/ except src/engine/zoo/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { listModels, pretrainedCfgs } from './registry';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('no-restricted-syntax: model-name literals', () => {
  it('matches every id, Keras name and arch.tag id in the registry, and nothing else', async () => {
    const { MODEL_NAME_LITERAL } = (await import(path.join(repo, 'eslint.config.js'))) as { MODEL_NAME_LITERAL: RegExp };
    for (const spec of listModels()) {
      for (const name of [spec.id, spec.name, ...pretrainedCfgs(spec).map((c) => c.id)]) expect(MODEL_NAME_LITERAL.test(name), name).toBe(true);
    }
    for (const other of ['imagenet', 'nsfwjs', 'none', 'model.json', 'resnet', 'mobilenetv2 weights']) expect(MODEL_NAME_LITERAL.test(other), other).toBe(false);
  });

  it('reports a model name outside the registry, in strings and plain templates, and not inside it', async () => {
    const eslint = new ESLint({ cwd: repo });
    const code = "export const a = 'mobilenetv2';\nexport const b = `ResNet50`;\nexport const c = \"lenet5.scratch\";\nexport const d = 'imagenet';\n";
    const [outside] = await eslint.lintText(code, { filePath: path.join(repo, 'src/services/example.ts') });
    expect(outside.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line)).toEqual([1, 2, 3]);
    const [inside] = await eslint.lintText(code, { filePath: path.join(repo, 'src/engine/zoo/example.ts') });
    expect(inside.messages.filter((m) => m.ruleId === 'no-restricted-syntax')).toEqual([]);
  }, 60_000);
});
