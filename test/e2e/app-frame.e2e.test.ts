// SPDX-License-Identifier: MIT
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchBrowser, serveApp, type ServedApp } from './harness';

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([serveApp(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('app frame in browser mode', () => {
  it('opens with the token, walks the steps and shows the doctor report', async () => {
    const page = await browser.newPage();
    await page.goto(app.urlWithToken);
    await page.getByRole('heading', { name: 'Transfer Studio' }).waitFor();
    // The token leaves the address bar once read.
    expect(page.url()).not.toContain('token=');

    const steps = await page.locator('nav [data-step]').allTextContents();
    expect(steps.map((s) => s.replace(/^\d+/, ''))).toEqual(['Projects', 'Backbone', 'Dataset', 'Freeze', 'Train', 'Runs', 'Evaluate', 'Export', 'Classify', 'Doctor']);

    await page.getByPlaceholder('e.g. Garden birds').fill('Garden birds');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.locator('[data-testid=projects] td').first().textContent()).toContain('Garden birds');
    await page.screenshot({ path: path.join(ARTIFACTS, 'frame-01-projects.png') });

    await page.locator('nav [data-step=doctor]').click();
    const doctor = page.locator('[data-testid=doctor]');
    await doctor.waitFor();
    const text = await doctor.textContent();
    expect(text).toContain(process.versions.node);
    expect(text).toMatch(/Electron binary not installed|\d+\.\d+\.\d+/);
    expect(text).toContain('onnxruntime-node');
    expect(await page.locator('[data-testid=selected-backend]').textContent()).toMatch(/tensorflow-gpu|tensorflow|wasm|cpu/);
    expect(text).toContain(app.home);
    await page.screenshot({ path: path.join(ARTIFACTS, 'frame-02-doctor.png'), fullPage: true });
    await page.close();
  });

  it('shows nothing of the data without the token, and the API refuses it', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByTestId('locked').waitFor();
    expect(await page.content()).not.toContain('Garden birds');
    for (const method of ['projects.list', 'doctor.report', 'models.list']) {
      const res = await page.request.post(`${app.url}api/call/${method}`, { data: {} });
      expect(res.status()).toBe(401);
    }
    const wrong = await page.request.post(`${app.url}api/call/projects.list`, { data: {}, headers: { authorization: 'Bearer nope' } });
    expect(wrong.status()).toBe(401);
    await page.screenshot({ path: path.join(ARTIFACTS, 'frame-03-locked.png') });
    await page.close();
  });
});
