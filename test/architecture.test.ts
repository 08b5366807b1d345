// SPDX-License-Identifier: MIT
// docs/architecture.md stays true: its diagram, layer table and floor list match layers.mjs, and
// the lint rules built from layers.mjs really refuse the crossings the issue lists, and every
// exception layers.mjs grants is still needed.
import { existsSync, readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { CLI_CONTRACT_EXCEPTIONS, ENGINE_FLOORS, LAYERS } from '../layers.mjs';

const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');
const layers = LAYERS;
const expectedEdges = Object.entries(layers).flatMap(([from, tos]) => tos.map((to) => `${from} --> ${to}`)).sort();

describe('docs/architecture.md', () => {
  it('draws exactly the layer edges of layers.mjs', () => {
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc)![1];
    const edges = [...mermaid.matchAll(/^\s*(\w+) --> (\w+)\s*$/gm)].map((m) => `${m[1]} --> ${m[2]}`).sort();
    expect(edges).toEqual(expectedEdges);
  });

  it('tables what each folder may import as layers.mjs does', () => {
    const rows = [...doc.matchAll(/^\| (\w+) \| ([^|]+) \|[^|\n]*\|$/gm)].filter((m) => m[1] in layers);
    const table = Object.fromEntries(rows.map((m) => [m[1], m[2].trim() === '—' ? [] : m[2].split(',').map((s) => s.trim())]));
    expect(table).toEqual(layers);
  });

  it('lists the engine floors of layers.mjs, bottom first', () => {
    const section = doc.slice(doc.indexOf('### The engine'));
    const floors = [...section.matchAll(/^\d+\. (.+)$/gm)].slice(0, ENGINE_FLOORS.length).map((m) => m[1].split(',').map((s) => s.trim()));
    expect(floors).toEqual(ENGINE_FLOORS);
  });

  it('names exactly the CLI files layers.mjs exempts from the contract', () => {
    const named = [...doc.matchAll(/`(src\/cli\/[\w/.-]+\.ts)`/g)].map((m) => m[1]).sort();
    expect(named).toEqual(Object.keys(CLI_CONTRACT_EXCEPTIONS).sort());
  });
});

describe('the lint rules from layers.mjs', () => {
  const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });
  const errors = async (filePath: string, code: string) => {
    const [r] = await eslint.lintText(code, { filePath });
    return r.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
  };

  it.each([
    ['src/store/repos/new.ts', "import type { ScanResult } from '../../engine/data/index';\nexport type X = ScanResult;\n", /src\/store may import only/],
    ['src/engine/eval/new.ts', "import type { TrainConfig } from '../train/types';\nexport type X = TrainConfig;\n", /floor 4/],
    ['src/engine/features/new.ts', "import { trainModel } from '../train/train-model';\nexport const x = trainModel;\n", /floor 3/],
    ['src/engine/data/new.ts', "import { planRun } from '../runs/plan';\nexport const x = planRun;\n", /floor 1/],
    ['src/cli/commands/new.ts', "import { launchRun } from '../../services/train-runner';\nexport const x = launchRun;\n", /through the contract/],
    ['src/main/new.ts', "import { openDatabase } from '../store/db';\nexport const x = openDatabase;\n", /src\/main may import only/],
    ['src/cli/new.ts', "export const x = async () => (await import('../engine/backend/backend')).activeBackend();\n", /src\/cli may import only.*dynamically too/],
    ['src/server/new.ts', "import { createEngineApi } from '../services/api';\nexport const x = createEngineApi;\n", /src\/server may import only/],
    ['src/platform/new.ts', "import { getModelSpec } from '../engine/zoo/registry';\nexport const x = getModelSpec;\n", /src\/platform may import only/],
    ['src/renderer/lib/new.ts', "import { existsSync, readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /not node code|No Node/],
    ['src/engine/newfolder/x.ts', 'export const x = 1;\n', /has no floor/],
    // Files once exempt from the floor order are not any more.
    ['src/engine/features/source.ts', "import { trainModel } from '../train/train-model';\nexport const x = trainModel;\n", /floor 3/],
    ['src/engine/artifacts/model-artifact.ts', "import { trainModel } from '../train/train-model';\nexport const x = trainModel;\n", /floor 4/],
  ])('refuses %s', async (file, code, message) => {
    const found = await errors(file, code);
    expect(found.some((m) => message.test(m)), found.join('\n') || 'no error').toBe(true);
  });

  it.each([
    ['src/engine/train/new.ts', "import { readIdx } from '../data/index';\nexport const x = readIdx;\n"],
    ['src/store/repos/new.ts', "import type { ScanResult } from '../../shared/dto/dataset-scan';\nexport type X = ScanResult;\n"],
    ['src/cli/commands/new.ts', "import { callEngine } from '../context';\nexport const x = callEngine;\n"],
  ])('lets %s import downward', async (file, code) => {
    expect(await errors(file, code)).toEqual([]);
  });

  it.each(Object.entries(CLI_CONTRACT_EXCEPTIONS))('still needs the exception for %s (%s)', async (file) => {
    expect(existsSync(file), `${file} is gone: delete its entry`).toBe(true);
    // The same code anywhere else in the CLI breaks the contract rule; else the entry is stale.
    const found = await errors('src/cli/commands/not-excepted.ts', readFileSync(file, 'utf8'));
    expect(found.some((m) => /through the contract/.test(m)), `${file} no longer imports services: delete its entry`).toBe(true);
    expect(await errors(file, readFileSync(file, 'utf8'))).toEqual([]);
  });
});
