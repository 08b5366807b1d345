// SPDX-License-Identifier: MIT
// Keras's GlobalAveragePooling2D with `keepdims`, which tfjs-layers 4.x lacks. Keras's MobileNet
// top pools with keepdims=True so its 1x1 `conv_preds` convolution can follow; emulating that
// with an extra Reshape would add a layer Keras does not have and break the layer-for-layer match.
import * as tf from '@tensorflow/tfjs';
import '../../backend/quiet';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';

export interface GlobalAveragePooling2DArgs extends LayerArgs {
  /** Keep the pooled height and width as 1x1 (Keras `keepdims`). Default false. */
  keepdims?: boolean;
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

/**
 * Registered under Keras's class name, it replaces tfjs's own GlobalAveragePooling2D when models
 * are deserialized. It is a superset (keepdims=false is tfjs's behaviour, both data formats),
 * so models saved with the tfjs layer still load.
 */
export class GlobalAveragePooling2D extends tf.layers.Layer {
  static className = 'GlobalAveragePooling2D';
  readonly keepdims: boolean;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: GlobalAveragePooling2DArgs = {}) {
    super(args);
    this.keepdims = args.keepdims ?? false;
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    if (this.dataFormat !== 'channelsLast' && this.dataFormat !== 'channelsFirst') {
      throw new Error(`GlobalAveragePooling2D ${this.name}: dataFormat must be 'channelsLast' or 'channelsFirst'; received ${JSON.stringify(args.dataFormat)}.`);
    }
    this.inputSpec = [{ ndim: 4 }];
  }

  private get axes(): [number, number] {
    return this.dataFormat === 'channelsLast' ? [1, 2] : [2, 3];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [a, b] = this.axes;
    if (this.keepdims) return s.map((d, i) => (i === a || i === b ? 1 : d));
    return s.filter((_, i) => i !== a && i !== b);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mean(Array.isArray(inputs) ? inputs[0] : inputs, this.axes, this.keepdims));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), keepdims: this.keepdims, dataFormat: this.dataFormat };
  }
}

// Registered where the class is defined, so any model holding the layer finds it by Keras's name.
tf.serialization.registerClass(GlobalAveragePooling2D);
