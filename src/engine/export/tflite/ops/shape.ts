// SPDX-License-Identifier: MIT
// Layout-only layers: ZeroPadding2D as PAD, Cropping2D as STRIDED_SLICE, Reshape, and Dropout
// (identity at inference: no op, the input tensor is the output).
import type { TflMapper } from './types';

const zeroPadding: TflMapper = ({ e, layer, config, inputs, outShape }) => {
  const p = config.padding as [[number, number], [number, number]];
  const y = e.tensor(layer.name, outShape);
  e.op('PAD', [inputs[0], e.ints(`${layer.name}/paddings`, [4, 2], [0, 0, p[0][0], p[0][1], p[1][0], p[1][1], 0, 0])], [y], { kind: 'PadOptions', values: {} });
  return y;
};

const cropping: TflMapper = ({ e, layer, config, inputs, inShape, outShape }) => {
  const cr = config.cropping as [[number, number], [number, number]];
  const y = e.tensor(layer.name, outShape);
  const begin = [0, cr[0][0], cr[1][0], 0];
  const end = [inShape[0], inShape[1] - cr[0][1], inShape[2] - cr[1][1], inShape[3]];
  e.op('STRIDED_SLICE', [inputs[0], e.ints(`${layer.name}/begin`, [4], begin), e.ints(`${layer.name}/end`, [4], end), e.ints(`${layer.name}/strides`, [4], [1, 1, 1, 1])], [y], {
    kind: 'StridedSliceOptions', values: { begin_mask: 0, end_mask: 0, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 0 },
  });
  return y;
};

const reshape: TflMapper = ({ e, layer, inputs, outShape }) => {
  const y = e.tensor(layer.name, outShape);
  e.op('RESHAPE', [inputs[0], e.ints(`${layer.name}/shape`, [outShape.length], outShape)], [y], { kind: 'ReshapeOptions', values: { new_shape: outShape } });
  return y;
};

export const SHAPE_MAPPERS: Record<string, TflMapper> = { ZeroPadding2D: zeroPadding, Cropping2D: cropping, Reshape: reshape, Dropout: ({ inputs }) => inputs[0] };
