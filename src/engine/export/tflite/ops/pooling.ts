// SPDX-License-Identifier: MIT
// Pooling: GlobalAveragePooling2D as MEAN over h and w, AveragePooling2D / MaxPooling2D as
// AVERAGE_POOL_2D / MAX_POOL_2D (strides default to the pool size, as in Keras).
import { Activation, Padding } from '../schema';
import { pair, type TflMapper } from './types';

const globalAverage: TflMapper = ({ e, layer, config, inputs, outShape }) => {
  const y = e.tensor(layer.name, outShape);
  e.op('MEAN', [inputs[0], e.ints(`${layer.name}/axes`, [2], [1, 2])], [y], { kind: 'ReducerOptions', values: { keep_dims: config.keepdims === true } });
  return y;
};

function pool(op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D'): TflMapper {
  return ({ e, layer, config: c, inputs, outShape }) => {
    const [ph, pw] = pair(c.pool_size);
    const [sh, sw] = pair(c.strides ?? c.pool_size);
    const y = e.tensor(layer.name, outShape);
    e.op(op, [inputs[0]], [y], {
      kind: 'Pool2DOptions',
      values: { padding: c.padding === 'same' ? Padding.SAME : Padding.VALID, stride_w: sw, stride_h: sh, filter_width: pw, filter_height: ph, fused_activation_function: Activation.NONE },
    });
    return y;
  };
}

export const POOLING_MAPPERS: Record<string, TflMapper> = {
  GlobalAveragePooling2D: globalAverage,
  AveragePooling2D: pool('AVERAGE_POOL_2D'),
  MaxPooling2D: pool('MAX_POOL_2D'),
};
