// SPDX-License-Identifier: MIT
// The window's security settings, kept as data so a unit test can hold them to Electron's
// security checklist without starting Electron.
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface SecureWebPreferences {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  spellcheck: boolean;
  preload: string;
}

export function secureWebPreferences(preload: string): SecureWebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    preload,
  };
}

/** Only the app's own page may be shown: no navigation away, ever. */
export function isAppUrl(url: string, appIndexUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(appIndexUrl);
    return u.protocol === app.protocol && u.pathname === app.pathname && u.host === app.host;
  } catch {
    return false;
  }
}

/** Links the app may hand to the system browser: https to a short list of documentation hosts. */
export const EXTERNAL_LINK_HOSTS = ['arxiv.org', 'keras.io', 'github.com', 'www.tensorflow.org', 'onnxruntime.ai', 'yann.lecun.com', 'proceedings.neurips.cc', 'papers.nips.cc'];

export function isAllowedExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_LINK_HOSTS.includes(u.hostname);
  } catch {
    return false;
  }
}
