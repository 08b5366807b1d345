// SPDX-License-Identifier: MIT
// Dense on [batch, features] as FULLY_CONNECTED with the kernel as [out, in]; ReLU/ReLU6 fused,
// other activations follow on a `<layer>_logits` tensor.
import { AppError } from '../../../../shared/errors';
import { Activation } from '../schema';
import { activate, activationName, fusedCode } from './activations';
import { need, type TflMapper } from './types';

const dense: TflMapper = ({ e, layer, weights: ws, inputs, inShape, outShape }) => {
  if (inShape.length !== 2) throw new AppError('UNSUPPORTED', `TFLite export: Dense ${layer.name} on a rank-${inShape.length} input; only [batch, features] is supported.`);
  const k = need(ws, 'kernel', layer);
  const [ci, co] = k.shape;
  const kt = new Float32Array(k.data.length);
  for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) kt[o * ci + i] = k.data[i * co + o];
  const a = activationName(layer);
  const fuse = fusedCode(a);
  const fc = e.tensor(fuse === Activation.NONE && a !== 'linear' ? `${layer.name}_logits` : layer.name, outShape);
  e.op('FULLY_CONNECTED', [inputs[0], e.kernel(`${layer.name}/kernel`, [co, ci], kt, 0), e.floats(`${layer.name}/bias`, [co], ws.get('bias')?.data ?? new Float32Array(co))], [fc], {
    kind: 'FullyConnectedOptions', values: { fused_activation_function: fuse, weights_format: 0, keep_num_dims: false },
  });
  return fuse === Activation.NONE ? activate(e, layer.name, a, fc, outShape) : fc;
};

export const DENSE_MAPPERS: Record<string, TflMapper> = { Dense: dense };
