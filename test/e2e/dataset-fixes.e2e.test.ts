// SPDX-License-Identifier: MIT
// Dataset health and fixing what evaluation finds, in Chromium against browser mode: a test image
// that is a byte-for-byte copy of a training image is caught at import and moved to its original's split (shown
// with thumbnails); after training, an image opened from a confusion cell is relabelled (its file
// moves to the other class folder) and a retrain with the same settings trains on the moved file.
// Every screen is saved under test-results/e2e.
import { copyFile, readFile } from 'node:fs/promises';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeTinyDataset } from '../fixtures/images';
import { ARTIFACTS, callApi, launchBrowser, serveApp, type ServedApp } from './harness';

const home = mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-fixes-'));
const shapes = path.join(home, 'photos', 'shapes');
const COPY = 'test/red/copy-of-train-0.png';
let app: ServedApp;
let browser: Browser;
let page: Page;

const api = <T>(method: string, input: unknown): Promise<T> => callApi<T>(app, method, input);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `fixes-${name}.png`), fullPage: true });
const text = async (testId: string) => (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
const step = (id: string) => page.locator(`nav [data-step=${id}]`).click();

beforeAll(async () => {
  // The user's own train/test folders; one test image is a copy of a training image: a leak.
  await writeTinyDataset(shapes, { counts: { red: 6, green: 6, blue: 6 }, size: 32, under: 'train' });
  // Another size than train's, so test images are not copies of the training images with the same mark.
  await writeTinyDataset(shapes, { counts: { red: 3, green: 3, blue: 3 }, size: 34, under: 'test' });
  await copyFile(path.join(shapes, 'train/red/0.png'), path.join(shapes, COPY));
  [app, browser] = await Promise.all([serveApp({}, { home }), launchBrowser()]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(app.urlWithToken);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('dataset health and fixes from the confusion matrix', () => {
  it('catches a leaked duplicate at import and moves it out of test to its original, with thumbnails', async () => {
    await page.getByPlaceholder('e.g. Garden birds').fill('Fixes');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => text('current-project')).toBe('Project: Fixes');
    await step('dataset');
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open photos' }).click();
    await page.getByRole('button', { name: 'Open shapes' }).click();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => text('dataset-images'), { timeout: 60_000 }).toBe('28');
    await expect.poll(() => text('leak-count'), { timeout: 30_000 }).toBe('1');
    expect(await text('duplicate-groups')).toBe('1');
    const leak = page.getByTestId('leak');
    expect(await leak.getAttribute('data-kind')).toBe('exact');
    // train/red/0.png itself may have been drawn into validation: the copy joins it there.
    const kept = (await leak.textContent())!.match(/fixed: all in (train|validation)$/)?.[1];
    expect(kept).toBeDefined();
    expect(await leak.textContent()).toContain(`copy-of-train-0.png test → ${kept}`);
    // Both images shown as thumbnails the engine rendered.
    await expect.poll(() => leak.locator('img[src^="data:image/png;base64,"]').count(), { timeout: 30_000 }).toBe(2);
    // The split the app shows has the copy in train: 3+3+3 test images, not 10.
    expect(await page.getByTestId('split').locator('tr').last().locator('th').nth(3).textContent()).toBe('9');
    await page.getByTestId('health').screenshot({ path: path.join(ARTIFACTS, 'fixes-01-leak-caught.png') });
    await shot('01-dataset');
  });

  it('relabels an image from the confusion matrix, and a retrain trains on the moved file', async () => {
    await step('train');
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Batch size', { exact: true }).fill('8');
    await page.getByLabel('Image size').selectOption('32 px');
    await page.getByText('Advanced settings').click();
    await page.getByTestId('fine-tune-epochs').fill('0');
    await page.getByTestId('augment-on').uncheck();
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => text('run-status'), { timeout: 200_000, interval: 1000 }).toBe('completed');
    const [first] = await api<{ id: number }[]>('runs.list', {});

    await step('evaluate');
    await expect.poll(() => text('eval-n'), { timeout: 60_000 }).toBe('9');
    // The fullest cell, diagonal or not: every cell opens its images.
    const cells = page.locator('[data-testid=confusion] button[data-cell]');
    const counts = (await cells.allTextContents()).map(Number);
    const idx = counts.indexOf(Math.max(...counts));
    await cells.nth(idx).click();
    const items = page.getByTestId('cell-image');
    await expect.poll(() => items.count(), { timeout: 60_000 }).toBe(counts[idx]);
    await expect.poll(() => page.getByTestId('cell-images').locator('img').count(), { timeout: 30_000 }).toBe(counts[idx]);
    const from = (await items.first().getAttribute('data-path'))!;
    const [, fromClass, file] = from.split('/');
    const toClass = ['blue', 'green', 'red'].find((c) => c !== fromClass)!;
    await items.first().getByTestId('relabel-to').selectOption(toClass);
    await items.first().getByRole('button', { name: 'Relabel' }).click();
    await expect.poll(() => items.first().getByTestId('fix-state').textContent()).toBe(`moved to ${toClass}`);
    // test/<class>/1.png exists in every class folder: the moved file gets a free name.
    const to = `test/${toClass}/${file.replace(/\.png$/, '-2.png')}`;
    expect(existsSync(path.join(shapes, to))).toBe(true);
    expect(existsSync(path.join(shapes, from))).toBe(false);
    await shot('02-relabelled');

    await page.getByTestId('retrain').click();
    await expect.poll(() => page.locator('nav [aria-current=step]').getAttribute('data-step')).toBe('train');
    await expect.poll(async () => (await api<{ id: number }[]>('runs.list', {})).length, { timeout: 30_000 }).toBe(2);
    const second = (await api<{ id: number }[]>('runs.list', {})).find((r) => r.id !== first.id)!;
    await expect.poll(async () => (await api<{ status: string }>('runs.get', { id: second.id })).status, { timeout: 200_000, interval: 1000 }).toBe('completed');
    await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed');
    await shot('03-retrained');
    const detail = await api<{ dir: string; config: Record<string, unknown> }>('runs.get', { id: second.id });
    expect(detail.config.retrainOf).toBe(first.id);
    const job = JSON.parse(await readFile(path.join(detail.dir, 'job.json'), 'utf8')) as { data: { classes: string[]; test: { path: string; label: number }[] } };
    expect(job.data.test.find((t) => t.path === to)?.label).toBe(job.data.classes.indexOf(toClass));
    expect(job.data.test.some((t) => t.path === from)).toBe(false);
    expect(job.data.test).toHaveLength(9);
  });
});
