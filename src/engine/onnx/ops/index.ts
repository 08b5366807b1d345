// SPDX-License-Identifier: MIT
// The one table of supported Keras layer classes. A class missing here fails the export with
// AppError UNSUPPORTED naming the layer; add a mapper file and list it here to support it.
import { ACTIVATION_MAPPERS } from './activations';
import { CONV_MAPPERS } from './conv';
import { CUSTOM_MAPPERS } from './custom';
import { DENSE_MAPPERS } from './dense';
import { MERGE_MAPPERS } from './merge';
import { NORMALIZATION_MAPPERS } from './normalization';
import { POOLING_MAPPERS } from './pooling';
import { SHAPE_MAPPERS } from './shape';
import type { LayerMapper } from './types';

export const LAYER_MAPPERS: Readonly<Record<string, LayerMapper>> = {
  ...ACTIVATION_MAPPERS,
  ...CONV_MAPPERS,
  ...CUSTOM_MAPPERS,
  ...DENSE_MAPPERS,
  ...MERGE_MAPPERS,
  ...NORMALIZATION_MAPPERS,
  ...POOLING_MAPPERS,
  ...SHAPE_MAPPERS,
};

export type { LayerContext, LayerMapper, WeightData } from './types';
