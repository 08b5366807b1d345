// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAllowedExternalLink, isAppUrl, secureWebPreferences } from './window-options';

describe('Electron window security (Electron security checklist)', () => {
  it('isolates and sandboxes the renderer', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
  });

  it('has a strict CSP without remote or inline scripts', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|http)/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });

  it('never navigates away from the app page', () => {
    const index = 'file:///opt/ts/resources/app.asar/dist/renderer/index.html';
    expect(isAppUrl(`${index}#train`, index)).toBe(true);
    expect(isAppUrl('https://evil.example/', index)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', index)).toBe(false);
    expect(isAppUrl('not a url', index)).toBe(false);
  });

  it('opens only known https links externally', () => {
    expect(isAllowedExternalLink('https://arxiv.org/abs/1512.03385')).toBe(true);
    expect(isAllowedExternalLink('http://arxiv.org/abs/1512.03385')).toBe(false);
    expect(isAllowedExternalLink('https://evil.example/')).toBe(false);
    expect(isAllowedExternalLink('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalLink('javascript:alert(1)')).toBe(false);
  });
});
