// SPDX-License-Identifier: MIT
// Loads the torchvision weights that scripts/torchvision-parity.py wrote into the zoo's AlexNet,
// GoogLeNet and ResNet18 and prints the largest difference from torchvision's logits. It also
// documents how a torchvision state dict maps onto the classic builders' layer names and layouts.
// Run: node --import tsx scripts/torchvision-parity.ts /tmp/parity
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { specs as alexnet } from '../src/engine/zoo/families/alexnet';
import { specs as googlenet } from '../src/engine/zoo/families/googlenet';
import { specs as resnet } from '../src/engine/zoo/families/resnet-classic';
import type { ModelSpec } from '../src/engine/zoo/types';

const ALEXNET_NAMES: Record<string, string> = {
  'features.0': 'conv1',
  'features.3': 'conv2',
  'features.6': 'conv3',
  'features.8': 'conv4',
  'features.10': 'conv5',
  'classifier.1': 'fc6',
  'classifier.4': 'fc7',
  'classifier.6': 'predictions',
};

/** torchvision module path -> our layer name. */
export function torchvisionLayerName(model: string, module: string): string {
  if (module === 'fc') return 'predictions';
  if (model === 'alexnet') return ALEXNET_NAMES[module] ?? module;
  if (model.startsWith('resnet')) {
    return module
      .replace(/^layer(\d)\.(\d+)\./, 'layer$1_block$2_')
      .replace('downsample.0', 'downsample_conv')
      .replace('downsample.1', 'downsample_bn');
  }
  return module.replace(/\./g, '_'); // googlenet: inception3a.branch2.1.conv -> inception3a_branch2_1_conv
}

/** torchvision tensors -> the tfjs layer's weights (OIHW -> HWIO, Linear transposed, AlexNet fc6 rows C,H,W -> H,W,C). */
export function torchvisionToTfjs(model: string, module: string, className: string, g: Record<string, tf.Tensor>): tf.Tensor[] {
  if (className === 'Conv2D') return [g.weight.transpose([2, 3, 1, 0]), ...(g.bias ? [g.bias] : [])];
  if (className === 'BatchNormalization') return [g.weight, g.bias, g.running_mean, g.running_var];
  if (className === 'Dense') {
    let w = g.weight;
    if (model === 'alexnet' && module === 'classifier.1') w = w.reshape([4096, 256, 6, 6]).transpose([0, 2, 3, 1]).reshape([4096, 9216]);
    return [w.transpose(), g.bias];
  }
  throw new Error(`No torchvision mapping for ${module} (${className})`);
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? '/tmp/torchvision-parity';
  await tf.setBackend('cpu');
  const models: [string, ModelSpec][] = [
    ['alexnet', alexnet[0]],
    ['googlenet', googlenet[0]],
    ['resnet18', resnet[0]],
  ];
  for (const [name, spec] of models) {
    const dir = path.join(root, name);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { weights: Record<string, number[]>; size: number; out: number[] };
    const load = (file: string, shape: number[]) => {
      const b = readFileSync(path.join(dir, `${file}.bin`));
      return tf.tensor(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), shape);
    };
    const s = manifest.size;
    const model = spec.build({ inputShape: [s, s, 3], classes: 10, classifierActivation: null });
    const modules = new Map<string, Record<string, tf.Tensor>>();
    for (const [key, shape] of Object.entries(manifest.weights)) {
      const i = key.lastIndexOf('.');
      const g = modules.get(key.slice(0, i)) ?? {};
      g[key.slice(i + 1)] = load(key, shape);
      modules.set(key.slice(0, i), g);
    }
    for (const [module, g] of modules) {
      const layer = model.getLayer(torchvisionLayerName(name, module));
      layer.setWeights(torchvisionToTfjs(name, module, layer.getClassName(), g));
    }
    const weighted = model.layers.filter((l) => l.weights.length > 0).length;
    const x = load('input', [2, 3, s, s]).transpose([0, 2, 3, 1]);
    const want = load('output', manifest.out);
    const got = model.predict(x) as tf.Tensor;
    const diff = got.sub(want).abs().max().dataSync()[0];
    const scale = want.abs().max().dataSync()[0];
    process.stdout.write(
      `${name} @${s}: ${modules.size}/${weighted} layers loaded, max |diff| ${diff.toExponential(2)}, relative ${(diff / scale).toExponential(2)}\n`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
