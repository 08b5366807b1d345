// SPDX-License-Identifier: MIT
// The weights choice per backbone, in Chromium against browser mode: a classic (LeNet-5) offers
// only "none" and trains from scratch; MobileNetV2 starts from the user's own .h5 written by real
// Keras, picked and checked on the Backbone step (a broken file is refused there with a message
// naming it), and the choice is kept in the wizard state (SQLite) and reaches train.start.
// Every screen is saved under test-results/e2e.
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeTinyDataset } from '../fixtures/images';
import { runPython } from '../python';
import { ARTIFACTS, callApi, launchBrowser, serveApp, type ServedApp } from './harness';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-weights-'));
const shapes = path.join(home, 'photos', 'shapes');
const mine = path.join(home, 'weights', 'my_mobilenetv2.h5');
const broken = path.join(home, 'weights', 'broken.h5');
let app: ServedApp;
let browser: Browser;
let page: Page;

const api = <T>(method: string, input: unknown): Promise<T> => callApi<T>(app, method, input);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `weights-${name}.png`), fullPage: true });
const text = async (testId: string) => (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
const step = (id: string) => page.locator(`nav [data-step=${id}]`).click();
const currentStep = () => page.locator('nav [aria-current=step]').getAttribute('data-step');
const modelRow = (name: string) => page.locator('[data-testid=models] tbody tr', { has: page.getByRole('button', { name, exact: true }) });
interface RunDetail { backbone: string; weights: string; status: string; config: { resolved: { freezeUntil: string; weights: string } } }

async function newProject(name: string): Promise<void> {
  await step('projects');
  await page.getByPlaceholder('e.g. Garden birds').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect.poll(() => page.getByTestId('current-project').textContent()).toBe(`Project: ${name}`);
}

async function importShapes(): Promise<void> {
  await page.getByRole('button', { name: 'Browse folders…' }).click();
  await page.getByRole('button', { name: 'Open photos' }).click();
  await page.getByRole('button', { name: 'Open shapes' }).click();
  // The listing of the opened folder first: choosing before it loads takes the one shown.
  await page.getByTestId('browser-path').filter({ hasText: /[\\/]shapes$/ }).waitFor();
  await page.getByRole('button', { name: 'Use this folder' }).click();
  await expect.poll(() => text('dataset-images'), { timeout: 60_000 }).toBe('24');
}

async function trainTiny(epochs: number): Promise<number> {
  await step('train');
  await page.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await page.getByLabel('Batch size', { exact: true }).fill('8');
  await page.getByLabel('Image size').selectOption('32 px');
  const before = new Set((await api<{ id: number }[]>('runs.list', {})).map((r) => r.id));
  await page.getByRole('button', { name: 'Start training' }).click();
  // The status line still shows the last run until the new one is followed: wait for the new run.
  let runId = 0;
  await expect.poll(async () => (runId = (await api<{ id: number }[]>('runs.list', {})).map((r) => r.id).find((id) => !before.has(id)) ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect.poll(async () => (await api<{ status: string }>('runs.get', { id: runId })).status, { timeout: 200_000, interval: 1000 }).toBe('completed');
  await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed');
  return runId;
}

beforeAll(async () => {
  await writeTinyDataset(shapes, { counts: { red: 8, green: 8, blue: 8 }, size: 32 });
  await mkdir(path.dirname(mine), { recursive: true });
  // Seeded random weights (no download): the user's own MobileNetV2 file, in Keras's .h5 layout.
  runPython(['import sys, keras', 'keras.utils.set_random_seed(3)', 'keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3)).save(sys.argv[1])'].join('\n'), [mine]);
  await writeFile(broken, 'not an HDF5 file');
  [app, browser] = await Promise.all([serveApp({}, { home }), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.urlWithToken);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('weights per backbone', () => {
  it('trains the classic LeNet-5 from scratch: "none" is its only weights choice', async () => {
    await newProject('Classic');
    await step('backbone');
    await modelRow('LeNet-5').getByRole('button', { name: 'LeNet-5', exact: true }).click();
    const choice = page.getByTestId('weights-choice');
    await expect.poll(() => choice.getByRole('radio').count()).toBe(1);
    expect(await choice.getByRole('radio').first().isChecked()).toBe(true);
    expect(await choice.textContent()).toContain('none: train from scratch');
    expect(await choice.textContent()).toContain('Classic networks have no pretrained weights here');
    await shot('01-classic-none');
    await page.getByRole('button', { name: 'Use LeNet-5' }).click();
    await expect.poll(currentStep).toBe('dataset');
    await importShapes();
    const runId = await trainTiny(2);
    expect(await text('train-weights')).toBe('none');
    const run = await api<RunDetail>('runs.get', { id: runId });
    // From scratch: nothing pretrained to keep frozen, so the whole network trains.
    expect(run).toMatchObject({ backbone: 'lenet5', weights: 'none', status: 'completed' });
    expect(run.config.resolved.freezeUntil).toBe('none');
    await shot('02-classic-trained');
  });

  it('starts MobileNetV2 from the user’s own .h5 picked and checked on the Backbone step', async () => {
    await newProject('Own weights');
    await step('backbone');
    await modelRow('MobileNetV2').getByRole('button', { name: 'MobileNetV2', exact: true }).click();
    const choice = page.getByTestId('weights-choice');
    // Bundled (nsfwjs), ImageNet (a download, with its size), none, and a file of one's own.
    await expect.poll(() => choice.getByRole('radio').count()).toBe(4);
    expect(await choice.textContent()).toMatch(/bundled with the app \(nsfwjs, \d+ MB\)/);
    expect(await choice.textContent()).toMatch(/ImageNet \(download, \d+ MB\)/);
    await choice.getByLabel(/ImageNet/).check();
    // This home's Keras cache is empty: the same sentence train.start would refuse with.
    expect(await text('weights-reason')).toContain('are not in the Keras cache');
    await choice.getByLabel(/your own file/).check();
    expect(await page.getByRole('button', { name: 'Use MobileNetV2' }).isDisabled()).toBe(true);
    await page.getByLabel('Weights file').fill(broken);
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect.poll(() => text('weights-file-error'), { timeout: 60_000 }).toContain(broken);
    expect(await page.getByRole('button', { name: 'Use MobileNetV2' }).isDisabled()).toBe(true);
    await shot('03-broken-file-refused');
    await page.getByLabel('Weights file').fill(mine);
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect.poll(() => text('weights-file-ok'), { timeout: 60_000 }).toContain('fill every layer of MobileNetV2');
    expect(await text('weights-file-ok')).toContain(mine);
    await shot('04-own-file-checked');
    await page.getByRole('button', { name: 'Use MobileNetV2' }).click();
    await expect.poll(currentStep).toBe('dataset');
    // The choice lives in the wizard state in SQLite, not in the page.
    const projects = await api<{ id: number; name: string }[]>('projects.list', {});
    const projectId = projects.find((p) => p.name === 'Own weights')!.id;
    const state = await api<{ choices: { backbone: string; weights: string } }>('wizard.get', { projectId });
    expect(state.choices).toMatchObject({ backbone: 'mobilenetv2', weights: mine });
    await importShapes();
    const runId = await trainTiny(1);
    expect(await text('train-weights')).toBe(mine);
    const run = await api<RunDetail>('runs.get', { id: runId });
    expect(run).toMatchObject({ backbone: 'mobilenetv2', weights: mine, status: 'completed' });
    await shot('05-own-file-trained');

    // A reload comes back to the same choice on the Backbone step.
    await page.reload();
    await expect.poll(() => text('current-project')).toBe('Project: Own weights');
    await expect.poll(currentStep).toBe('train');
    await step('backbone');
    await expect.poll(() => page.getByTestId('weights-choice').getByLabel(/your own file/).isChecked()).toBe(true);
    expect(await page.getByLabel('Weights file').inputValue()).toBe(mine);
  });
});
