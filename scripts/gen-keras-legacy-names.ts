// SPDX-License-Identifier: MIT
// Writes resources/keras/legacy-names.json: for each Keras model, {modernLayerName: legacyName}
// for the weighted layers whose name in keras_applications 1.0.8 (the names inside the official
// .h5 files) differs from today's Keras. Source: ../shared/keras/models/*.json (`keras2_legacy_name`).
// Run: npx tsx scripts/gen-keras-legacy-names.ts [manifestDir]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ManifestLayer {
  name: string;
  weights: unknown[];
  keras2_legacy_name?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestDir = path.resolve(process.argv[2] ?? path.join(root, '../shared/keras/models'));
const out = path.join(root, 'resources/keras/legacy-names.json');

const result: Record<string, Record<string, string>> = {};
for (const file of readdirSync(manifestDir).filter((f) => f.endsWith('.json')).sort()) {
  const m = JSON.parse(readFileSync(path.join(manifestDir, file), 'utf8')) as { name: string; layers: ManifestLayer[] };
  const map: Record<string, string> = {};
  for (const l of m.layers) {
    if (l.weights.length > 0 && l.keras2_legacy_name && l.keras2_legacy_name !== l.name) map[l.name] = l.keras2_legacy_name;
  }
  if (Object.keys(map).length > 0) result[m.name] = map;
}
writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
process.stdout.write(`wrote ${out}: ${Object.entries(result).map(([k, v]) => `${k} ${Object.keys(v).length}`).join(', ')}\n`);
