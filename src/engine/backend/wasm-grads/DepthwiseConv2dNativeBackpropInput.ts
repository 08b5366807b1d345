// SPDX-License-Identifier: MIT
// dx is the "full" depthwise correlation of the stride-dilated dy with the flipped filter. With a
// channel multiplier M > 1 each input channel c collects M output channels, so the correlation
// runs over all C*M channels (multiplier 1) and the M copies are summed afterwards.
import { DepthwiseConv2dNativeBackpropInput, type DepthwiseConv2dNativeBackpropInputAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { backend_util, composed, dilateSpatial, padOrCrop, WASM } from './compose';

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const filterShape = filter.shape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true, 'channelsLast');
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { batchSize: n, inHeight, inWidth, inChannels: c } = info;
    const m = filterShape[3];
    return composed(backend, (scope) => {
      const spread = dilateSpatial(scope, dy, sh, sw);
      const top = (fh - 1) * dh - info.padInfo.top;
      const left = (fw - 1) * dw - info.padInfo.left;
      const bottom = inHeight + (fh - 1) * dh - top - spread.shape[1];
      const right = inWidth + (fw - 1) * dw - left - spread.shape[2];
      const dyp = padOrCrop(scope, spread, [top, bottom, left, right]);
      const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
      const perChannel = scope.run('Reshape', { x: flipped }, { shape: [fh, fw, c * m, 1] });
      const dx = scope.run('DepthwiseConv2dNative', { x: dyp, filter: perChannel }, { strides: [1, 1], pad: 'valid', dilations: [dh, dw] });
      if (m === 1) return dx;
      const split = scope.run('Reshape', { x: dx }, { shape: [n, inHeight, inWidth, c, m] });
      return scope.run('Sum', { x: split }, { axis: [4], keepDims: false });
    });
  },
};
