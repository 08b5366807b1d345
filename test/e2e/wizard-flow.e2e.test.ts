// SPDX-License-Identifier: MIT
// The whole wizard in a real browser against browser mode, on a tiny generated dataset:
// create a project → pick the backbone → import a folder → freeze → train 1 epoch → metrics and
// confusion matrix → export → classify a folder → organise and undo. Each screen is saved.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CLASS_COLORS, encodeRgb, markedRgb, writeTinyDataset } from '../fixtures/images';
import { ARTIFACTS, launchBrowser, serveApp, type ServedApp } from './harness';

let app: ServedApp;
let browser: Browser;
let page: Page;

const CLASSES = ['blue', 'green', 'red'];

beforeAll(async () => {
  [app, browser] = await Promise.all([serveApp(), launchBrowser()]);
  const shapes = path.join(app.home, 'photos', 'shapes');
  await writeTinyDataset(shapes, { counts: { red: 8, green: 8, blue: 8 }, size: 32 });
  // One broken file, so the skipped list has something to say.
  await writeFile(path.join(shapes, 'red', 'broken.png'), Buffer.from('not a png at all'));
  await mkdir(path.join(app.home, 'exports'));
  const inbox = path.join(app.home, 'inbox');
  await mkdir(inbox, { recursive: true });
  for (const c of CLASSES) for (let i = 0; i < 2; i++) await writeFile(path.join(inbox, `${c}-${i}.png`), await encodeRgb(markedRgb(32, 32, CLASS_COLORS[c], 20 + i), 32, 32, 'png'));
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `flow-${name}.png`), fullPage: true });
const text = async (testId: string) => (await page.getByTestId(testId).textContent())?.trim() ?? '';
const step = (id: string) => page.locator(`nav [data-step=${id}]`).click();

describe('the wizard from folder to sorted photos', () => {
  it('creates and opens a project', async () => {
    await page.goto(app.urlWithToken);
    await page.getByPlaceholder('e.g. Garden birds').fill('Shapes');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => text('current-project')).toBe('Project: Shapes');
    const row = page.locator('[data-testid=projects] tr', { hasText: 'Shapes' });
    await expect.poll(() => row.textContent()).toContain('no dataset yet');
    expect(await row.textContent()).toContain('open');
    await shot('01-projects');
  });

  it('picks MobileNetV2 as the backbone', async () => {
    await step('backbone');
    await page.locator('[data-testid=models] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid=models] tbody tr').count()).toBeGreaterThan(20);
    expect(await text('first-choice')).toContain('MobileNetV2');
    const row = page.locator('[data-testid=models] tbody tr', { has: page.getByRole('button', { name: 'MobileNetV2', exact: true }) });
    // Keras documents MobileNetV2 at 71.3% top-1 and 14 MB.
    expect(await row.textContent()).toMatch(/71\.3%/);
    // Bundled weights for MobileNetV2; the Keras cache of this fresh home is empty, so others offer a download.
    expect(await row.textContent()).toContain('bundled');
    expect(await page.getByRole('button', { name: 'Download ResNet50 weights' }).textContent()).toBe('Download');
    await row.getByRole('button', { name: 'MobileNetV2', exact: true }).click();
    expect(await text('model-story')).toContain('invert the bottleneck');
    await shot('02-backbone');
    await page.getByRole('button', { name: 'Use MobileNetV2' }).click();
    await expect.poll(() => page.locator('nav [aria-current=step]').getAttribute('data-step')).toBe('dataset');
  });

  it('imports the folder through the folder browser', async () => {
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open photos' }).click();
    await page.getByRole('button', { name: 'Open shapes' }).click();
    await expect.poll(() => text('browser-summary')).toContain('3 sub-folders with images');
    expect(await text('browser-summary')).toContain('blue, green, red');
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => text('dataset-images'), { timeout: 60_000 }).toBe('24');
    expect(await text('dataset-classes')).toBe('3');
    expect(await text('import-result')).toBe('Imported 24 images in 3 classes.');
    for (const c of CLASSES) expect(await page.locator(`[data-testid=class-bars] [data-class=${c}]`).textContent()).toBe('8');
    expect(await text('skipped')).toContain('broken.png');
    // Default split: 20% validation, 10% test of 8 per class.
    const all = await page.locator('[data-testid=split] tr', { hasText: 'All' }).textContent();
    expect(all?.replace(/\s+/g, ' ')).toMatch(/All\s*(\d+)\s*(\d+)\s*(\d+)/);
    await expect.poll(() => page.locator('[data-testid=augment] img').count(), { timeout: 30_000 }).toBe(7);
    await expect.poll(() => page.locator('ul[aria-label="Sample images of red"] img').count()).toBeGreaterThan(0);
    await shot('03-dataset');
  });

  it('sets the freeze boundary and sees the parameter counts change', async () => {
    await page.getByRole('button', { name: 'Next: freezing' }).click();
    await expect.poll(() => text('freeze-model'), { timeout: 60_000 }).toBe('MobileNetV2');
    expect(await text('trainable-params')).toBe('0');
    expect(await text('recipe')).toContain('two-phase');
    await page.locator('#freeze-range').fill('10');
    await expect.poll(() => text('frozen-blocks')).toBe('10');
    // Blocks block_9 … conv_1 of Keras's MobileNetV2 (trainable weights), the rest frozen.
    expect(await text('trainable-params')).toBe('2,038,784');
    expect(await text('frozen-params')).toBe('219,200');
    await shot('04-freeze');
    await page.locator('#freeze-range').fill('19');
    await expect.poll(() => text('trainable-params')).toBe('0');
  });

  it('trains one epoch with live numbers', async () => {
    await page.getByRole('button', { name: 'Next: train' }).click();
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Batch size', { exact: true }).fill('8');
    await page.getByLabel('Image size').selectOption('96 px');
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => text('run-status'), { timeout: 150_000, interval: 1000 }).toBe('completed');
    expect(await text('epochs-done')).toBe('1');
    await expect.poll(() => text('backend')).toMatch(/^(wasm|cpu|tensorflow|tensorflow-gpu)$/);
    // The wasm leg (npm run test:wasm) sets TS_BACKEND for the server; training must follow it.
    if (process.env.TS_BACKEND) expect(await text('backend')).toBe(process.env.TS_BACKEND);
    expect(Number(await text('images-per-sec'))).toBeGreaterThan(0);
    expect(await text('val-acc')).toMatch(/^\d+\.\d%$/);
    expect(await page.locator('.uplot').count()).toBe(4);
    expect(await text('train-log')).toMatch(/phase 1 epoch 1: loss \d/);
    await shot('05-train');
  });

  it('shows metrics and an interactive confusion matrix', async () => {
    await page.getByRole('button', { name: 'Next: evaluate' }).click();
    await expect.poll(() => text('accuracy'), { timeout: 30_000 }).toMatch(/^\d+\.\d%$/);
    expect(await text('top5')).toBe('100.0%');
    const n = Number(await text('eval-n'));
    expect(n).toBeGreaterThan(0);
    const cells = page.locator('[data-testid=confusion] button[data-cell]');
    expect(await cells.count()).toBe(9);
    const counts = (await cells.allTextContents()).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    for (const c of CLASSES) expect(await text('per-class')).toContain(c);
    // Click the fullest off-diagonal cell when there is one, else the first diagonal one.
    const off = counts.map((v, i) => [v, i] as const).filter(([v, i]) => v > 0 && Math.floor(i / 3) !== i % 3).sort((a, b) => b[0] - a[0])[0];
    const idx = off ? off[1] : 0;
    await cells.nth(idx).click();
    const panel = page.getByTestId('cell-images');
    expect(await panel.textContent()).toContain(`${counts[idx]} × true ${CLASSES[Math.floor(idx / 3)]}, predicted ${CLASSES[idx % 3]}`);
    // The first cell opened scores the run's images once (eval.cell stores every prediction), then shows them.
    if (off) await expect.poll(() => panel.locator('img').count(), { timeout: 60_000 }).toBe(off[0]);
    await shot('06-evaluate');
    // The theme follows the system: the same screen in dark mode.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(22, 22, 26)');
    await shot('06-evaluate-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(247, 247, 248)');
  });

  it('exports the model as ONNX into a chosen folder', async () => {
    await page.getByRole('button', { name: 'Next: export' }).click();
    const formats = await text('export-formats');
    for (const f of ['TensorFlow.js', 'ONNX', 'TensorFlow Lite', 'Keras 3']) expect(formats).toContain(f);
    await page.getByLabel('ONNX').check();
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open exports' }).click();
    // The listing of the opened folder first: choosing before it loads takes the one shown.
    await page.getByTestId('browser-path').filter({ hasText: /[\\/]exports$/ }).waitFor();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => text('export-dest')).toBe(path.join(app.home, 'exports'));
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const out = path.join(app.home, 'exports', 'Shapes-run1-onnx');
    await expect.poll(() => text('export-path'), { timeout: 120_000, interval: 1000 }).toBe(out);
    const written = readdirSync(out);
    expect(written.some((f) => f.endsWith('.onnx'))).toBe(true);
    for (const f of written.filter((f) => !statSync(path.join(out, f)).isDirectory())) expect(await text('export-result')).toContain(f);
    expect(await text('parity')).toMatch(/largest difference \d\.\d\de[-+]\d+/);
    expect(await text('export-history')).toContain(out);
    await shot('07-export');
  });

  it('classifies a folder, organises it and undoes that', async () => {
    await step('classify');
    await page.getByRole('button', { name: 'Browse folders…' }).click();
    await page.getByRole('button', { name: 'Open inbox' }).click();
    // The listing of the opened folder first: choosing before it loads takes the one shown.
    await page.getByTestId('browser-path').filter({ hasText: /[\\/]inbox$/ }).waitFor();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => text('classify-folder')).toBe(path.join(app.home, 'inbox'));
    // A one-epoch model on 15 images is rarely sure of anything: sort every image by its top class.
    await page.getByLabel('Unsure below').fill('0');
    await page.getByRole('button', { name: 'Classify', exact: true }).click();
    await expect.poll(() => text('classified'), { timeout: 120_000, interval: 1000 }).toBe('6');
    await expect.poll(() => page.locator('ul[aria-label="Classified images"] img').count(), { timeout: 30_000 }).toBe(6);
    expect(await text('results-total')).toBe('6 shown');
    await shot('08-classify');

    await page.getByRole('button', { name: 'Organise' }).click();
    await expect.poll(() => text('organized'), { timeout: 30_000 }).toMatch(/^6 files moved into /);
    const sorted = path.join(app.home, 'inbox-sorted');
    const moved = readdirSync(sorted, { recursive: true }).map(String).filter((f) => f.endsWith('.png'));
    expect(moved).toHaveLength(6);
    // Each file sits in the folder of the class the grid showed for it.
    // (Each card's caption, not its text: the correction menu lists every class.)
    const shown = new Map(await page.locator('ul[aria-label="Classified images"] li').evaluateAll((lis) => lis.map((li) => [li.dataset.path, li.querySelector('[data-testid=result-label]')?.textContent] as const)));
    for (const f of moved) {
      const [cls, name] = f.split(path.sep);
      expect(CLASSES).toContain(cls);
      expect(shown.get(name)).toBe(cls);
    }
    expect(readdirSync(path.join(app.home, 'inbox')).filter((f) => f.endsWith('.png'))).toHaveLength(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => text('undone'), { timeout: 30_000 }).toBe('Undone: 6 files restored.');
    expect(readdirSync(path.join(app.home, 'inbox')).filter((f) => f.endsWith('.png')).sort()).toEqual(CLASSES.flatMap((c) => [`${c}-0.png`, `${c}-1.png`]));
    await shot('09-classify-undone');
    for (const f of moved) expect(existsSync(path.join(sorted, f))).toBe(false);
  });

  it('cancels and resumes a second run, then compares the two', async () => {
    await step('train');
    await page.getByLabel('Epochs', { exact: true }).fill('3');
    await page.getByLabel('Batch size', { exact: true }).fill('4');
    await page.getByLabel('Image size').selectOption('96 px');
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => page.getByTestId('training').locator('h3').textContent()).toContain('Run 2');
    // Cancel once the first batch has been reported (the bar reads batch 0 before that).
    await page.getByText(/^Phase 1, epoch [1-9]\d*, batch [1-9]/).waitFor({ timeout: 90_000 });
    await page.getByTestId('training').getByRole('button', { name: 'Cancel' }).first().click();
    await expect.poll(() => text('run-status'), { timeout: 60_000, interval: 500 }).toBe('cancelled');
    expect(await text('train-log')).toContain('run 2 cancelled');
    expect(Number(await text('images-per-sec'))).toBeGreaterThan(0);
    await shot('10-train-cancelled');
    await page.getByRole('button', { name: 'Resume run 2' }).click();
    await expect.poll(() => text('run-status'), { timeout: 150_000, interval: 1000 }).toBe('completed');
    // Two phases: 2 head epochs, then 1 fine-tuning epoch.
    expect(Number(await text('epochs-done'))).toBe(3);
    expect(await text('train-log')).toContain('run 2 resumed from its last checkpoint');

    await step('evaluate');
    const compare = page.getByTestId('run-compare');
    await compare.waitFor({ timeout: 30_000 });
    const header = await compare.locator('thead').textContent();
    expect(header).toContain('Run 1');
    expect(header).toContain('Run 2');
    for (const c of CLASSES) expect(await compare.textContent()).toContain(`F1 ${c}`);
    expect(await compare.locator('tbody tr').first().textContent()).toMatch(/Accuracy\s*\d+\.\d%\s*\d+\.\d%/);
    await shot('11-evaluate-compare');
  });
});

