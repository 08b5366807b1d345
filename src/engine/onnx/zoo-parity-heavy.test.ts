// SPDX-License-Identifier: MIT
// ONNX Runtime vs TF.js for the registered zoo models over 15M feature-extractor parameters
// (ResNet-101/152, Inception, VGG19, EfficientNetB4+, ...). Several minutes on two cores.
import { defineZooParitySuite, isHeavy } from '../../../test/fixtures/zoo-parity-suite';

defineZooParitySuite('zoo registry on ONNX Runtime (heavy models)', isHeavy);
