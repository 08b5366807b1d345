// SPDX-License-Identifier: MIT
// ONNX Runtime vs TF.js for every registered zoo model up to 15M feature-extractor parameters;
// bigger ones are in zoo-parity-heavy.test.ts.
import { defineZooParitySuite, isHeavy } from '../../../test/fixtures/zoo-parity-suite';

defineZooParitySuite('zoo registry on ONNX Runtime (light models)', (s) => !isHeavy(s));
