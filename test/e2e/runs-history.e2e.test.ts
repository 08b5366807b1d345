// SPDX-License-Identifier: MIT
// Runs as a history and state that survives, in Chromium against browser mode: a run trained with
// the CLI and one trained in the app (advanced settings, augmentation preview) are compared after
// `serve` restarts on a new port, where the wizard resumes at its step with its choices; then a
// threshold is picked on the validation set, a one-photo test honours it, classify uses it, and
// the CLI run is renamed and deleted with its folder. Every screen is saved under test-results/e2e.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CLASS_COLORS, encodeRgb, markedRgb, writeTinyDataset } from '../fixtures/images';
import { ARTIFACTS, callApi, launchBrowser, serveApp, type ServedApp } from './harness';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-runs-'));
const shapes = path.join(home, 'photos', 'shapes');
const redPhoto = path.join(home, 'red-photo.png');
let app: ServedApp;
let browser: Browser;
let page: Page;
let cliRunId = 0;
let appRunId = 0;

const env = { ...process.env, HOME: home, TRANSFER_STUDIO_HOME: home, KERAS_HOME: path.join(home, 'keras'), TRANSFER_STUDIO_FROM_SOURCE: '1' };
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/transfer-studio.mjs', ...args], { env, encoding: 'utf8', timeout: 240_000 });
const api = <T>(method: string, input: unknown): Promise<T> => callApi<T>(app, method, input);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `runs-${name}.png`), fullPage: true });
const text = async (testId: string) => (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
const step = (id: string) => page.locator(`nav [data-step=${id}]`).click();
const currentStep = () => page.locator('nav [aria-current=step]').getAttribute('data-step');

async function openPage(): Promise<void> {
  await page?.context().close();
  // A fresh context: nothing in localStorage or sessionStorage can carry the state over.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(app.urlWithToken);
}

beforeAll(async () => {
  await writeTinyDataset(shapes, { counts: { red: 8, green: 8, blue: 8 }, size: 32 });
  await writeFile(redPhoto, await encodeRgb(markedRgb(40, 40, CLASS_COLORS.red, 3), 40, 40, 'png'));
  const inbox = path.join(home, 'inbox');
  await mkdir(inbox, { recursive: true });
  for (const c of ['red', 'green', 'blue']) await writeFile(path.join(inbox, `${c}.png`), await encodeRgb(markedRgb(32, 32, CLASS_COLORS[c], 30), 32, 32, 'png'));
  // The CLI run first, on the same database the app will serve.
  const r = cli('train', '--data', shapes, '--backbone', 'mobilenetv2', '--weights', 'nsfwjs', '--epochs', '1', '--image-size', '32', '--batch', '8', '--no-augment', '--fine-tune-epochs', '0', '--json');
  expect(r.status, r.stderr).toBe(0);
  cliRunId = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
  [app, browser] = await Promise.all([serveApp({}, { home }), launchBrowser()]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('runs history and state that survives', () => {
  it('trains in the app with advanced settings and a live augmentation preview', async () => {
    await openPage();
    await page.getByPlaceholder('e.g. Garden birds').fill('Runs');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => text('current-project')).toBe('Project: Runs');
    await step('dataset');
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open photos' }).click();
    await page.getByRole('button', { name: 'Open shapes' }).click();
    // The listing of the opened folder first: choosing before it loads takes the one shown.
    await page.getByTestId('browser-path').filter({ hasText: /[\\/]shapes$/ }).waitFor();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => text('dataset-images'), { timeout: 60_000 }).toBe('24');
    await step('train');
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Batch size', { exact: true }).fill('8');
    await page.getByLabel('Image size').selectOption('32 px');
    await page.getByText('Advanced settings').click();
    const adv = page.getByTestId('advanced-settings');
    // Each setting names the recipe's default and why.
    for (const s of ['default adam', 'default constant', 'default off (0)', 'default 3.', 'default lr / 10', 'range 0–45°, default 10°']) expect(await adv.textContent()).toContain(s);
    await expect.poll(() => page.locator('[data-testid=augment-preview] img').count(), { timeout: 30_000 }).toBe(7);
    const before = await page.locator('[data-testid=augment-preview] img').nth(1).getAttribute('src');
    await page.getByTestId('aug-rotation').fill('40');
    // The same sample image, redrawn with the new range.
    await expect.poll(() => page.locator('[data-testid=augment-preview] img').nth(1).getAttribute('src'), { timeout: 30_000 }).not.toBe(before);
    await shot('01-advanced-settings');
    await page.getByTestId('optimizer').selectOption('sgd');
    await page.getByTestId('schedule').selectOption('cosine');
    await page.getByTestId('label-smoothing').fill('0.1');
    await page.getByTestId('fine-tune-epochs').fill('0');
    await page.getByTestId('augment-on').uncheck();
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => text('run-status'), { timeout: 200_000, interval: 1000 }).toBe('completed');
    const runs = await api<{ id: number }[]>('runs.list', {});
    appRunId = runs.map((r) => r.id).find((id) => id !== cliRunId)!;
    const detail = await api<{ config: { resolved: { optimizer: string; schedule: string; labelSmoothing: number; lr: number }; augment?: boolean } }>('runs.get', { id: appRunId });
    // The settings reached the engine: SGD with a cosine schedule, smoothing 0.1, no augmentation.
    expect(detail.config.resolved).toMatchObject({ optimizer: 'sgd', schedule: 'cosine', labelSmoothing: 0.1 });
    expect(detail.config.augment).toBe(false);
    await shot('02-trained');
  });

  it('resumes the project, its step and its settings after serve restarts on a new port', async () => {
    const oldPort = new URL(app.url).port;
    await app.stop();
    app = await serveApp({}, { home });
    expect(new URL(app.url).port).not.toBe(oldPort);
    await openPage();
    await expect.poll(() => text('current-project')).toBe('Project: Runs');
    await expect.poll(currentStep).toBe('train');
    await page.getByText('Advanced settings').click();
    expect(await page.getByTestId('optimizer').inputValue()).toBe('sgd');
    expect(await page.getByTestId('label-smoothing').inputValue()).toBe('0.1');
    expect(await page.getByLabel('Epochs', { exact: true }).inputValue()).toBe('1');
    await shot('03-resumed-new-port');
  });

  it('lists the CLI run beside the app run and compares them with overlaid curves', async () => {
    await step('runs');
    const table = page.getByTestId('runs-history');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator(`tr[data-run="${cliRunId}"]`).textContent()).toContain('CLI (no project)');
    expect(await table.locator(`tr[data-run="${appRunId}"]`).textContent()).toContain('Runs');
    await page.getByTestId('runs-filter').selectOption({ label: 'project Runs' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByTestId('runs-filter').selectOption('all');
    await page.getByLabel(`Rename run ${cliRunId}`).click();
    await page.getByLabel(`Name of run ${cliRunId}`).fill('cli baseline');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => table.locator(`tr[data-run="${cliRunId}"] [data-testid=run-name]`).textContent()).toBe('cli baseline');
    await page.getByLabel(`Compare run ${cliRunId}`).check();
    await page.getByLabel(`Compare run ${appRunId}`).check();
    const compared = page.getByTestId('runs-compared');
    await expect.poll(() => compared.locator('.uplot').count()).toBe(2);
    // Both runs in each chart's legend, and side by side in the table.
    await expect.poll(() => compared.locator('.u-legend').first().textContent(), { timeout: 30_000 }).toContain('cli baseline (run');
    expect(await compared.locator('.u-legend').first().textContent()).toContain(`Run ${appRunId} (mobilenetv2)`);
    await expect.poll(() => page.getByTestId('run-compare').locator('thead th').count()).toBe(3);
    await shot('04-runs-compared');
    const listed = JSON.parse(cli('runs', '--json').stdout) as { id: number; name: string | null }[];
    expect(listed.find((r) => r.id === cliRunId)?.name).toBe('cli baseline');
    // A CLI run opens in the Evaluate step like the project's own.
    await page.getByLabel(`Evaluate run ${cliRunId}`).click();
    await expect.poll(currentStep).toBe('evaluate');
    const cliEval = (await api<{ evaluation: { accuracy: number } }>('runs.get', { id: cliRunId })).evaluation;
    await expect.poll(() => text('accuracy'), { timeout: 30_000 }).toBe(`${(cliEval.accuracy * 100).toFixed(1)}%`);
  });

  it('picks a threshold on the validation set, and a one-photo test and classify use it', async () => {
    await step('evaluate');
    await page.locator('[data-testid=runs] button', { hasText: `Run ${appRunId}` }).click();
    await expect.poll(() => page.getByTestId('reliability').count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByTestId('calibration').textContent()).toMatch(/ECE \d\.\d{3}/);
    try {
      await expect.poll(() => page.getByTestId('threshold-range').count(), { timeout: 90_000 }).toBe(1);
    } finally {
      await shot('05b-threshold-loaded');
    }
    const conf = await api<{ confidence: number[]; split: string }>('runs.confidences', { id: appRunId });
    await page.getByTestId('threshold-range').fill('0.9');
    await expect.poll(() => text('threshold-value')).toBe('90%');
    expect(Number(await text('unsure-count'))).toBe(conf.confidence.filter((c) => c < 0.9).length);
    expect(await text('threshold-stats')).toContain(`of ${conf.confidence.length} ${conf.split} images become unsure`);
    await page.getByTestId('save-threshold').click();
    await expect.poll(() => text('saved-threshold')).toBe('90%');
    expect((await api<{ id: number; threshold: number | null }[]>('runs.list', {})).find((r) => r.id === appRunId)?.threshold).toBe(0.9);
    await shot('05-threshold');

    await page.getByTestId('one-photo-input').first().setInputFiles(redPhoto);
    await expect.poll(() => page.getByTestId('one-photo-top').locator('tbody tr').count(), { timeout: 60_000 }).toBe(3);
    const top = (await page.getByTestId('one-photo-top').locator('tbody tr').first().textContent()) ?? '';
    const p = Number(/([\d.]+)%/.exec(top)![1]) / 100;
    const verdict = await text('one-photo-verdict');
    if (p < 0.9) expect(verdict).toMatch(/^unsure: .* below the threshold 90\.0%/);
    else expect(verdict).not.toContain('unsure');
    // The same photo through the CLI gives the same top class and the run's threshold.
    const one = JSON.parse(cli('classify', '--model', String(appRunId), redPhoto, '--json').stdout) as { threshold: number; top: { label: string; p: number }[] };
    expect(one.threshold).toBe(0.9);
    expect(top).toContain(one.top[0].label);
    await shot('06-one-photo');

    await step('classify');
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open inbox' }).click();
    // The listing of the opened folder first: choosing before it loads takes the one shown.
    await page.getByTestId('browser-path').filter({ hasText: /[\\/]inbox$/ }).waitFor();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await page.locator('select').filter({ has: page.locator(`option[value="${appRunId}"]`) }).first().selectOption(String(appRunId));
    await expect.poll(() => page.getByLabel('Unsure below').inputValue()).toBe('90');
    await page.getByRole('button', { name: 'Classify', exact: true }).click();
    await expect.poll(() => text('classified'), { timeout: 120_000, interval: 1000 }).toBe('3');
    const jobs = await api<{ threshold: number; model: string }[]>('classify.jobs', {});
    expect(jobs[0].threshold).toBe(0.9);
    await shot('07-classify-threshold');
  });

  it('deletes the CLI run with its folder from the history', async () => {
    await step('runs');
    const dir = path.join(home, 'runs', String(cliRunId));
    expect(existsSync(dir)).toBe(true);
    await page.getByLabel(`Delete run ${cliRunId}`).click();
    await expect.poll(() => page.getByTestId('runs-history').locator('tbody tr').count()).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect((JSON.parse(cli('runs', '--json').stdout) as { id: number }[]).map((r) => r.id)).toEqual([appRunId]);
    await shot('08-deleted');
  });
});
