// SPDX-License-Identifier: MIT
// Test support: the cpu backend's depthwise backprop kernels ignore `dilations` (tfjs refuses
// dilated depthwise gradients one level up), so dilated cases are checked against an undilated
// cpu run with the filter spread out by zeros, which is the same convolution by definition.
import type { HostTensor } from './compare-backends';

/** Spreads the taps of an [fh, fw, c, m] filter `d` apart with zeros between them. */
export function spreadFilter(filter: HostTensor, d: number): HostTensor {
  const [fh, fw, c, m] = filter.shape;
  const eh = (fh - 1) * d + 1;
  const ew = (fw - 1) * d + 1;
  const data = new Float32Array(eh * ew * c * m);
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const from = (kh * fw + kw) * c * m;
      data.set(filter.data.subarray(from, from + c * m), (kh * d * ew + kw * d) * c * m);
    }
  }
  return { data, shape: [eh, ew, c, m] };
}

/** The inverse of spreadFilter's placement: picks every d-th tap of a spread filter gradient. */
export function gatherTaps(spread: HostTensor, d: number, fh: number, fw: number): HostTensor {
  const [, ew, c, m] = spread.shape;
  const data = new Float32Array(fh * fw * c * m);
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const from = (kh * d * ew + kw * d) * c * m;
      data.set(spread.data.subarray(from, from + c * m), (kh * fw + kw) * c * m);
    }
  }
  return { data, shape: [fh, fw, c, m] };
}
