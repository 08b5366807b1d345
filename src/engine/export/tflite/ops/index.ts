// SPDX-License-Identifier: MIT
// The one table of Keras layer classes TFLite export maps. A class missing here fails the export
// with AppError UNSUPPORTED naming the layer; add a mapper file and list it here to support it.
import { ACTIVATION_MAPPERS } from './activations';
import { CONV_MAPPERS } from './conv';
import { DENSE_MAPPERS } from './dense';
import { MERGE_MAPPERS } from './merge';
import { NORMALIZATION_MAPPERS } from './normalization';
import { POOLING_MAPPERS } from './pooling';
import { SHAPE_MAPPERS } from './shape';
import type { TflMapper } from './types';

export const TFLITE_MAPPERS: Readonly<Record<string, TflMapper>> = {
  ...ACTIVATION_MAPPERS,
  ...CONV_MAPPERS,
  ...DENSE_MAPPERS,
  ...MERGE_MAPPERS,
  ...NORMALIZATION_MAPPERS,
  ...POOLING_MAPPERS,
  ...SHAPE_MAPPERS,
};

export type { TflContext, TflMapper, WeightData } from './types';
