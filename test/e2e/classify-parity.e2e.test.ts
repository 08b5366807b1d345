// SPDX-License-Identifier: MIT
// Classify parity with the CLI, in Chromium against browser mode: a run trained with the CLI is
// chosen in the app's Classify and Export steps (listed under "CLI runs"), a nested folder is
// classified with and without sub-folders, one result is corrected, the CSV and JSON exports are
// read back from disk (the correction in them, every other row equal to the CLI's own --out file),
// and the correction is undone; then the CLI's classify job is reopened in the app and corrected
// there, and `classify results` sees it. Every screen is saved under test-results/e2e as classify-*.png.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseCsvLine } from '../../src/engine/classify/export';
import { CLASS_COLORS, encodeRgb, markedRgb, writeTinyDataset } from '../fixtures/images';
import { ARTIFACTS, launchBrowser, serveApp, type ServedApp } from './harness';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-classify-'));
const inbox = path.join(home, 'inbox');
/** The folder to classify: one photo at the top, three in sub-folders two deep. */
const NESTED = ['top-red.png', 'a/green.png', 'a/b/blue.png', 'a/b/red.png'];
let app: ServedApp;
let browser: Browser;
let page: Page;
let cliRunId = 0;
let cliJobId = 0;

const env = { ...process.env, HOME: home, TRANSFER_STUDIO_HOME: home, KERAS_HOME: path.join(home, 'keras'), TRANSFER_STUDIO_FROM_SOURCE: '1' };
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/transfer-studio.mjs', ...args], { env, encoding: 'utf8', timeout: 240_000 });
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `classify-${name}.png`), fullPage: true });
const text = async (testId: string) => (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
const step = (id: string) => page.locator(`nav [data-step=${id}]`).click();
const card = (rel: string) => page.locator(`ul[aria-label="Classified images"] li[data-path="${rel}"]`);

/** A CSV export as rows keyed by path, each a column → cell record. */
function readCsv(file: string): Record<string, Record<string, string>> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n').map(parseCsvLine);
  return Object.fromEntries(lines.map((l) => [l[0], Object.fromEntries(header.map((h, i) => [h, l[i]]))]));
}

/** What the run select offers: each group's label with its options' values. */
const runGroups = () =>
  page.getByTestId('run-select').evaluate((s) => [...s.querySelectorAll('optgroup')].map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]));

beforeAll(async () => {
  await writeTinyDataset(path.join(home, 'photos', 'shapes'), { counts: { red: 8, green: 8, blue: 8 }, size: 32 });
  for (const [i, rel] of NESTED.entries()) {
    const color = CLASS_COLORS[/(red|green|blue)\.png$/.exec(rel)![1]];
    await mkdir(path.dirname(path.join(inbox, rel)), { recursive: true });
    await writeFile(path.join(inbox, rel), await encodeRgb(markedRgb(32, 32, color, 40 + i), 32, 32, 'png'));
  }
  // The run comes from the CLI, on the database the app will serve: it belongs to no project.
  const r = cli('train', '--data', path.join(home, 'photos', 'shapes'), '--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--epochs', '1', '--image-size', '32', '--batch', '8', '--no-augment', '--fine-tune-epochs', '0', '--json');
  expect(r.status, r.stderr).toBe(0);
  cliRunId = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
  [app, browser] = await Promise.all([serveApp({}, { home }), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('classify in the app as in the CLI', () => {
  it('offers the CLI run in a new project and classifies a nested folder with and without sub-folders', async () => {
    await page.goto(app.urlWithToken);
    await page.getByPlaceholder('e.g. Garden birds').fill('Parity');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => text('current-project')).toBe('Project: Parity');
    await step('classify');
    // The project has no runs of its own; the CLI's is listed, and chosen.
    await expect.poll(runGroups).toEqual([['CLI runs (no project)', [String(cliRunId)]]]);
    expect(await page.getByTestId('run-select').inputValue()).toBe(String(cliRunId));
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open inbox' }).click();
    // The listing of the opened folder first: choosing before it loads takes the one shown.
    await page.getByTestId('browser-path').filter({ hasText: /[\\/]inbox$/ }).waitFor();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => text('classify-folder')).toBe(inbox);
    // Sort every image by its top class: a one-epoch model is rarely sure.
    await page.getByLabel('Unsure below').fill('0');
    await page.getByLabel('Top classes').fill('2');

    await page.getByRole('button', { name: 'Classify', exact: true }).click();
    await expect.poll(() => text('classified'), { timeout: 120_000, interval: 500 }).toBe('1');
    expect(await page.locator('ul[aria-label="Classified images"] li').evaluateAll((lis) => lis.map((li) => li.dataset.path))).toEqual(['top-red.png']);
    await shot('01-top-folder-only');

    await page.getByTestId('recursive').check();
    await page.getByRole('button', { name: 'Classify', exact: true }).click();
    await expect.poll(() => text('classified'), { timeout: 120_000, interval: 500 }).toBe('4');
    expect(await text('classify-summary')).toContain('(sub-folders included)');
    await expect.poll(() => page.locator('ul[aria-label="Classified images"] img').count(), { timeout: 30_000 }).toBe(4);
    expect((await page.locator('ul[aria-label="Classified images"] li').evaluateAll((lis) => lis.map((li) => li.dataset.path))).sort()).toEqual([...NESTED].sort());
    await shot('02-recursive');
  });

  it('corrects one result, exports CSV and JSON with it, and undoes it', async () => {
    const target = 'a/b/blue.png';
    const modelSaid = (await card(target).getByTestId('result-label').textContent())!.trim();
    const labels = await page.getByLabel(`Correct ${target}`).evaluate((s) => [...(s as HTMLSelectElement).options].slice(1).map((o) => o.value));
    expect(labels.sort()).toEqual(['blue', 'green', 'red']);
    const fixed = labels.find((l) => l !== modelSaid)!;
    await page.getByLabel(`Correct ${target}`).selectOption(fixed);
    await expect.poll(() => card(target).getByTestId('result-label').textContent()).toBe(fixed);
    expect(await card(target).getByTestId('corrected').textContent()).toBe(`corrected, model said ${modelSaid}`);
    await expect.poll(() => text('corrected-count')).toBe('1');
    expect(await text('last-correction')).toContain(`${target}: ${modelSaid} → ${fixed}`);
    await shot('03-corrected');

    const csvFile = path.join(home, 'exports', 'inbox-results.csv');
    await page.getByLabel('Export file').fill(csvFile);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => text('exported')).toBe(`Wrote 4 rows to ${csvFile}.`);
    const csv = readCsv(csvFile);
    expect(Object.keys(csv).sort()).toEqual([...NESTED].sort());
    expect(csv[target]).toMatchObject({ label: fixed, model_label: modelSaid, unsure: '0' });
    // Two classes kept per image, as asked.
    expect(Object.keys(csv[target]).filter((c) => /^top\d_label$/.test(c))).toEqual(['top1_label', 'top2_label']);
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const jsonFile = csvFile.replace(/\.csv$/, '.json');
    await expect.poll(() => text('exported')).toBe(`Wrote 4 rows to ${jsonFile}.`);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { job: { root: string }; results: { path: string; label: string; modelLabel: string; corrected: boolean }[] };
    expect(json.job.root).toBe(inbox);
    expect(json.results.map((r) => r.path).sort()).toEqual([...NESTED].sort());
    expect(json.results.find((r) => r.path === target)).toMatchObject({ label: fixed, modelLabel: modelSaid, corrected: true });
    for (const r of json.results.filter((x) => x.path !== target)) expect(r).toMatchObject({ label: csv[r.path].label, corrected: false });
    await shot('04-exported');

    // The CLI's own export of the same folder and run: the same file, bar the correction.
    const cliCsv = path.join(home, 'exports', 'cli.csv');
    const r = cli('classify', '--model', String(cliRunId), inbox, '--recursive', '--threshold', '0', '--top-k', '2', '--out', cliCsv, '--json');
    expect(r.status, r.stderr).toBe(0);
    cliJobId = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { jobId: number }).jobId;
    const fromCli = readCsv(cliCsv);
    expect(Object.keys(fromCli).sort()).toEqual(Object.keys(csv).sort());
    for (const rel of NESTED) {
      const row = rel === target ? { ...csv[rel], label: modelSaid } : csv[rel];
      expect(fromCli[rel], rel).toEqual(row);
    }

    await page.getByRole('button', { name: 'Undo correction' }).click();
    await expect.poll(() => card(target).getByTestId('result-label').textContent()).toBe(modelSaid);
    expect(await card(target).getByTestId('corrected').count()).toBe(0);
    await expect.poll(() => text('corrected-count')).toBe('0');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => text('exported')).toBe(`Wrote 4 rows to ${csvFile}.`);
    expect(readCsv(csvFile)[target]).toMatchObject({ label: modelSaid, model_label: modelSaid });
    await shot('05-undone');
  });

  it("reopens the CLI's classify job, and a correction made in the app is what the CLI reads", async () => {
    // A step shown anew lists the jobs again, the CLI's included.
    await step('runs');
    await step('classify');
    const earlier = page.getByTestId('earlier-jobs');
    await expect.poll(() => earlier.locator(`option[value="${cliJobId}"]`).textContent()).toBe(`Job ${cliJobId}: inbox with run ${cliRunId}, 4 files (sub-folders), completed`);
    await earlier.selectOption(String(cliJobId));
    await expect.poll(() => page.getByTestId('classify-summary').textContent()).toContain(`Job ${cliJobId} completed`);
    expect(await text('classified')).toBe('4');
    // The form takes the job's settings: what Classify would run again.
    expect([await page.getByTestId('recursive').isChecked(), await page.getByLabel('Top classes').inputValue(), await page.getByLabel('Unsure below').inputValue()]).toEqual([true, '2', '0']);
    await expect.poll(() => page.locator('ul[aria-label="Classified images"] li').count()).toBe(4);
    const target = 'top-red.png';
    const modelSaid = (await card(target).getByTestId('result-label').textContent())!.trim();
    const fixed = ['blue', 'green', 'red'].find((l) => l !== modelSaid)!;
    await page.getByLabel(`Correct ${target}`).selectOption(fixed);
    await expect.poll(() => text('corrected-count')).toBe('1');
    const seen = JSON.parse(cli('classify', 'results', String(cliJobId), '--json').stdout) as { items: { path: string; label: string; modelLabel: string; corrected: boolean }[] };
    expect(seen.items.find((r) => r.path === target)).toEqual(expect.objectContaining({ label: fixed, modelLabel: modelSaid, corrected: true }));
    await shot('06-cli-job-corrected');
  });

  it('offers the CLI run in the Export step too', async () => {
    await step('export');
    await expect.poll(runGroups).toEqual([['CLI runs (no project)', [String(cliRunId)]]]);
    expect(await page.getByTestId('run-select').inputValue()).toBe(String(cliRunId));
    await shot('07-export-step');
  });
});
