// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { explainDecodeError } from './formats';

describe('explainDecodeError', () => {
  it('calls a cut-off file truncated or damaged, whether or not libvips kept the decoder detail', () => {
    // The same truncated JPEG, as sharp reports it with libjpeg's detail and with it cleared by another thread.
    for (const msg of ['Input buffer has corrupt header: VipsJpeg: premature end of JPEG file', 'Input buffer has corrupt header: ']) {
      const r = explainDecodeError(new Error(msg));
      expect(r.code).toBe('CORRUPT');
      expect(r.reason).toMatch(/^The file is truncated or damaged \(the decoder said: Input buffer has corrupt header:/);
    }
  });

  it('keeps "could not be decoded" for other decoder failures', () => {
    expect(explainDecodeError(new Error('VipsJpeg: Unsupported marker type 0x12'))).toEqual({
      code: 'CORRUPT',
      reason: 'The image could not be decoded (the decoder said: VipsJpeg: Unsupported marker type 0x12); re-save it or remove it.',
    });
  });
});
