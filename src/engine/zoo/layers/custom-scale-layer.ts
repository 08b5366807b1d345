// SPDX-License-Identifier: MIT
// Keras's InceptionResNetV2 `CustomScaleLayer`: the scaled residual sum `x + r * scale`.
// Keras 3 and tf-keras use this class (1.0.8 used a Lambda, which tfjs cannot deserialize).
import * as tf from '@tensorflow/tfjs';
import '../../backend/quiet';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';

export interface CustomScaleLayerArgs extends LayerArgs {
  /** Factor applied to the residual branch (the second input). */
  scale: number;
}

/** Inputs `[shortcut, residual]`, output `shortcut + residual * scale`, as Keras's `call`. */
export class CustomScaleLayer extends tf.layers.Layer {
  static className = 'CustomScaleLayer';
  readonly scale: number;

  constructor(args: CustomScaleLayerArgs) {
    super(args);
    this.scale = args.scale;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error(`CustomScaleLayer ${this.name} expects [shortcut, residual]; received ${Array.isArray(inputs) ? inputs.length : 1} tensor(s).`);
      }
      return tf.add(inputs[0], tf.mul(inputs[1], this.scale));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}

// Registered where the class is defined: any model holding the layer imports this module,
// so `tf.loadLayersModel` / `deserialize` always find it under Keras's class name.
tf.serialization.registerClass(CustomScaleLayer);
