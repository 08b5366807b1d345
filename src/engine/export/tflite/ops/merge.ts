// SPDX-License-Identifier: MIT
// Merge layers: Add and Multiply as a chain of binary ADD/MUL (the last one carries the layer's
// name), Concatenate as CONCATENATION with its axis made non-negative.
import { Activation } from '../schema';
import type { TflMapper } from './types';

function chain(op: 'ADD' | 'MUL'): TflMapper {
  return ({ e, layer, inputs, outShape }) => {
    let acc = inputs[0];
    for (let i = 1; i < inputs.length; i++) {
      const t = e.tensor(i === inputs.length - 1 ? layer.name : `${layer.name}_${i}`, outShape);
      if (op === 'ADD') e.op('ADD', [acc, inputs[i]], [t], { kind: 'AddOptions', values: { fused_activation_function: Activation.NONE } });
      else e.op('MUL', [acc, inputs[i]], [t], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
      acc = t;
    }
    return acc;
  };
}

const concatenate: TflMapper = ({ e, layer, config, inputs, outShape }) => {
  const y = e.tensor(layer.name, outShape);
  const axis = Number(config.axis ?? -1);
  e.op('CONCATENATION', inputs, [y], { kind: 'ConcatenationOptions', values: { axis: axis < 0 ? outShape.length + axis : axis, fused_activation_function: Activation.NONE } });
  return y;
};

export const MERGE_MAPPERS: Record<string, TflMapper> = { Add: chain('ADD'), Multiply: chain('MUL'), Concatenate: concatenate };
