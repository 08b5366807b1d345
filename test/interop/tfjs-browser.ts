// SPDX-License-Identifier: MIT
// Runs TF.js exports the way a web page does: a loopback HTTP server hands out @tensorflow/tfjs's
// tf.min.js and the export folders, headless Chromium (the e2e harness's launch flags) loads
// tf.min.js, the export's transfer-studio-layers.js when it has one, then tf.loadLayersModel over
// HTTP, preprocesses with the export's preprocessing.json and predicts.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT } from '../python';

const TFJS_MIN = path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.html': 'text/html', '.bin': 'application/octet-stream', '.txt': 'text/plain' };

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `/tf.min.js` and `/m/<rel>` from `root`, on 127.0.0.1 only. */
export async function serveExports(root: string): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const file = url === '/tf.min.js' ? TFJS_MIN : url.startsWith('/m/') ? path.join(root, path.normalize(url.slice(3)).replace(/^(\.\.[/\\])+/, '')) : null;
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
      return;
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(file).then(
      (bytes) => res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface BrowserPrediction {
  probs: number[][];
  tfjsVersion: string;
  backend: string;
  chromium: string;
}

/**
 * Loads `<server>/m/<rel>/model.json` in a fresh page and predicts `pixels` (raw 0..255 RGB, NHWC).
 * The CPU backend: headless Chromium here has no GPU, and WebGL's float16 textures would blur a 1e-4 check.
 */
export async function predictInChromium(browser: Browser, server: StaticServer, rel: string, pixels: Uint8Array, shape: number[]): Promise<BrowserPrediction> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${server.url}/`);
    await page.addScriptTag({ url: `${server.url}/tf.min.js` });
    const base = `${server.url}/m/${rel}`;
    const hasLayers = (await fetch(`${base}/transfer-studio-layers.js`)).ok;
    if (hasLayers) await page.addScriptTag({ url: `${base}/transfer-studio-layers.js` });
    const out = await page.evaluate(
      async ({ base, pixels, shape }) => {
        const tf = (globalThis as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
        await tf.setBackend('cpu');
        const p = (await (await fetch(`${base}/preprocessing.json`)).json()) as { colorOrder: string; scale: number; offset: number; mean: number[]; std: number[] };
        const x = new Float32Array(pixels.length);
        for (let i = 0; i < pixels.length; i += 3) {
          for (let c = 0; c < 3; c++) {
            const v = p.colorOrder === 'BGR' ? pixels[i + 2 - c] : pixels[i + c];
            x[i + c] = (v * p.scale + p.offset - p.mean[c]) / p.std[c];
          }
        }
        const model = await tf.loadLayersModel(`${base}/model.json`);
        const y = model.predict(tf.tensor4d(x, shape as [number, number, number, number])) as import('@tensorflow/tfjs').Tensor;
        return { probs: (await y.array()) as number[][], tfjsVersion: tf.version.tfjs, backend: tf.getBackend() };
      },
      { base, pixels: Array.from(pixels), shape },
    );
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { ...out, chromium: browser.version() };
  } finally {
    await page.close();
  }
}

/**
 * Runs the TF.js export's model-card snippet as written, in a page served from the export folder:
 * the page defines `pixels` (as the snippet says), the CDN's tf.min.js is swapped for the local copy
 * (no network here), and one line after the snippet's own reads `probs` back.
 */
export async function runTfjsSnippet(browser: Browser, server: StaticServer, root: string, rel: string, pixels: Uint8Array): Promise<{ probs: number[][]; backend: string }> {
  const card = await fs.readFile(path.join(root, rel, 'model-card.md'), 'utf8');
  const html = /```html\n([\s\S]*?)\n```/.exec(card)?.[1];
  if (!html) throw new Error(`${rel}/model-card.md has no html snippet`);
  const cdn = /<script src="(https:\/\/cdn\.jsdelivr\.net\/npm\/@tensorflow\/tfjs@[^"]+\/dist\/tf\.min\.js)"><\/script>/.exec(html);
  if (!cdn) throw new Error(`${rel}/model-card.md: the snippet does not load tf.min.js from the CDN`);
  const last = html.lastIndexOf('</script>');
  const page = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>',
    `<script>var pixels = new Float32Array(${JSON.stringify(Array.from(pixels))});</script>`,
    `${html.slice(0, last).replace(cdn[1], '/tf.min.js')}; window.snippetProbs = await probs.array();</script>`,
    '</body></html>',
  ].join('\n');
  await fs.writeFile(path.join(root, rel, 'snippet.html'), page);
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  try {
    await tab.goto(`${server.url}/m/${rel}/snippet.html`);
    // Poll instead of waitForFunction so a page error fails at once, naming the error.
    for (const start = Date.now(); Date.now() - start < 120_000; await new Promise((r) => setTimeout(r, 100))) {
      if (errors.length) throw new Error(`the TF.js snippet failed: ${errors.join('; ')}`);
      const out = await tab.evaluate(() => {
        const g = globalThis as unknown as { snippetProbs?: number[][]; tf?: { getBackend(): string } };
        return g.snippetProbs ? { probs: g.snippetProbs, backend: g.tf?.getBackend() ?? '' } : null;
      });
      if (out) return out;
    }
    throw new Error('the TF.js snippet did not finish in 120 s');
  } finally {
    await tab.close();
  }
}
