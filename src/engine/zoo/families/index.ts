// SPDX-License-Identifier: MIT
// Every family is listed here by hand (as tfjs register_all_kernels does): no registration
// happens as an import side effect, so the list is the single place to read what exists.
// Order: the Keras Applications documentation table, then the classics by year.
import type { ModelSpec } from '../types';
import { specs as alexnet } from './alexnet';
import { specs as densenet } from './densenet';
import { specs as efficientnet } from './efficientnet';
import { specs as googlenet } from './googlenet';
import { specs as inceptionResNetV2 } from './inception-resnet-v2';
import { specs as inceptionV3 } from './inception-v3';
import { specs as inceptionV4 } from './inception-v4';
import { specs as lenet } from './lenet';
import { specs as mobilenet } from './mobilenet';
import { specs as mobilenetV2 } from './mobilenet-v2';
import { specs as nasnet } from './nasnet';
import { specs as resnet } from './resnet';
import { specs as resnetClassic } from './resnet-classic';
import { specs as resnetV2 } from './resnet-v2';
import { specs as vgg } from './vgg';
import { specs as xception } from './xception';

export const FAMILY_SPECS: readonly (readonly ModelSpec[])[] = [
  xception,
  vgg,
  resnet,
  resnetV2,
  inceptionV3,
  inceptionResNetV2,
  mobilenet,
  mobilenetV2,
  densenet,
  nasnet,
  efficientnet,
  lenet,
  alexnet,
  googlenet,
  inceptionV4,
  resnetClassic,
];
