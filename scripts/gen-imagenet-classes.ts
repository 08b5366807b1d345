// SPDX-License-Identifier: MIT
// Writes resources/imagenet/classes.json, the 1000 ImageNet-1k classes in Keras's class-index order,
// from the class list @tensorflow-models/mobilenet ships on the npm registry (dist/imagenet_classes.js,
// index -> "tench, Tinca tinca"). Keras's imagenet_class_index.json labels are the first WordNet lemma
// with spaces as underscores ("great_white_shark"), which is what this derives.
// That package has no WordNet ids, and no npm package we found ships them, so the wnid slot is null.
// Run: node --import tsx scripts/gen-imagenet-classes.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const PACKAGE = '@tensorflow-models/mobilenet@2.1.1';
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../resources/imagenet/classes.json');

/** Keras's label for a WordNet synonym list: the first lemma, spaces replaced by underscores. */
export function kerasLabel(synonyms: string): string {
  return synonyms.split(', ')[0].trim().replace(/ /g, '_');
}

function readMobilenetClasses(): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imagenet-classes-'));
  try {
    execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} left no .tgz in ${dir}`);
    execFileSync('tar', ['xzf', tgz, 'package/dist/imagenet_classes.js'], { cwd: dir });
    const source = readFileSync(path.join(dir, 'package/dist/imagenet_classes.js'), 'utf8');
    // The file is a CommonJS module holding one object literal; run it with nothing but `exports`.
    const sandbox = { exports: {} as Record<string, unknown> };
    vm.runInNewContext(source, sandbox, { timeout: 1000 });
    const classes = sandbox.exports.IMAGENET_CLASSES as Record<string, string> | undefined;
    if (!classes) throw new Error(`${PACKAGE} dist/imagenet_classes.js exports no IMAGENET_CLASSES`);
    return classes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const classes = readMobilenetClasses();
  const out: Record<string, [string | null, string]> = {};
  for (let i = 0; i < 1000; i++) {
    const synonyms = classes[String(i)];
    if (typeof synonyms !== 'string') throw new Error(`${PACKAGE}: class ${i} is missing`);
    out[String(i)] = [null, kerasLabel(synonyms)];
  }
  if (Object.keys(classes).length !== 1000) throw new Error(`${PACKAGE}: expected 1000 classes, got ${Object.keys(classes).length}`);
  // One entry a line, like Keras's file, so diffs stay readable.
  const body = Object.entries(out)
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(',\n');
  writeFileSync(OUT, `{\n${body}\n}\n`);
  process.stdout.write(`Wrote ${OUT} (1000 classes from ${PACKAGE})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
