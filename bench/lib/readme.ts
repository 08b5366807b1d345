// SPDX-License-Identifier: MIT
// Keeps the README's "## Benchmarks" section (the last one) in step with a run's table.
import { readFileSync, writeFileSync } from 'node:fs';

const HEADING = '## Benchmarks';

/** The section's text: how to run, then the table of `markdown`. */
export function benchmarksSection(markdown: string, jsonName: string): string {
  return `${HEADING}

\`npm run bench\` measures the product against its peers in the same run and prints this table
(\`-- --quick\` for the CI smoke run, \`-- --only extract,classify\` for some cases,
\`-- --json-out FILE\`); every run also writes \`bench/results/<date>.json\` with the machine.
Figures from a shared, loaded machine: compare the ratios and CPU times measured side by side,
not absolute numbers across runs. A missed target is reported, never a failure; a case that
throws fails the run. Latest run (\`bench/results/${jsonName}\`):

${markdown}
`;
}

/** Replaces the README's Benchmarks section (or appends one) with `section`. */
export function updateReadme(path: string, section: string): void {
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(`\n${HEADING}\n`);
  let next = -1;
  if (at >= 0) next = text.indexOf('\n## ', at + HEADING.length + 1);
  const before = at >= 0 ? text.slice(0, at + 1) : `${text.replace(/\n*$/, '')}\n\n`;
  const after = next >= 0 ? text.slice(next + 1) : '';
  writeFileSync(path, `${before}${section}${after ? `\n${after}` : ''}`);
}
