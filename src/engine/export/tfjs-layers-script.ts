// SPDX-License-Identifier: MIT
// The zoo's Keras layers that stock @tensorflow/tfjs lacks (Normalization, per-channel Rescaling,
// CustomScaleLayer, AdaptiveAveragePooling2D, GlobalAveragePooling2D with keepdims), as one plain
// script a web page loads after tf.min.js. It is a port of src/engine/zoo/layers and
// zoo/classic-kit for a page without our build: same class names, same weights, same arithmetic
// (test/interop runs the EfficientNet export through it in Chromium against the app's numbers).

/** File name of the script inside a TF.js export. */
export const TFJS_LAYERS_FILE = 'transfer-studio-layers.js';

export const TFJS_LAYERS_SCRIPT = `// SPDX-License-Identifier: MIT
// Transfer Studio layers for @tensorflow/tfjs: load after tf.min.js, before tf.loadLayersModel.
// In a bundler: globalThis.tf = tf; then import this file.
(function (tf) {
  if (!tf || !tf.layers) throw new Error('transfer-studio-layers.js needs @tensorflow/tfjs loaded first (global tf).');
  function first(x) { return Array.isArray(x) ? x[0] : x; }
  function shapeOf(s) { return Array.isArray(s[0]) ? s[0] : s; }

  class Normalization extends tf.layers.Layer {
    constructor(args) { super(args || {}); this.axis = (args && args.axis != null) ? (Array.isArray(args.axis) ? args.axis[0] : args.axis) : -1; }
    featureAxis(rank) { return this.axis < 0 ? rank + this.axis : this.axis; }
    build(inputShape) {
      const s = shapeOf(inputShape);
      const dim = s[this.featureAxis(s.length)];
      this.mean = this.addWeight('mean', [dim], 'float32', tf.initializers.zeros(), undefined, false);
      this.variance = this.addWeight('variance', [dim], 'float32', tf.initializers.ones(), undefined, false);
      this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
      this.built = true;
    }
    computeOutputShape(s) { return s; }
    call(inputs) {
      return tf.tidy(() => {
        const x = first(inputs);
        const a = this.featureAxis(x.rank);
        const b = x.shape.map((d, i) => (i === a ? d : 1));
        const std = tf.maximum(tf.sqrt(tf.reshape(this.variance.read(), b)), 1e-7);
        return tf.div(tf.sub(tf.cast(x, 'float32'), tf.reshape(this.mean.read(), b)), std);
      });
    }
    getConfig() { return Object.assign({}, super.getConfig(), { axis: this.axis }); }
  }
  Normalization.className = 'Normalization';

  class Rescaling extends tf.layers.Layer {
    constructor(args) { super(args); this.scale = args.scale; this.offset = args.offset == null ? 0 : args.offset; }
    computeOutputShape(s) { return s; }
    call(inputs) {
      return tf.tidy(() => {
        let x = first(inputs);
        if (x.dtype !== 'float32') x = tf.cast(x, 'float32');
        return tf.add(tf.mul(x, this.scale), this.offset);
      });
    }
    getConfig() { return Object.assign({}, super.getConfig(), { scale: this.scale, offset: this.offset }); }
  }
  Rescaling.className = 'Rescaling';

  class CustomScaleLayer extends tf.layers.Layer {
    constructor(args) { super(args); this.scale = args.scale; }
    computeOutputShape(s) { return shapeOf(s); }
    call(inputs) { return tf.tidy(() => tf.add(inputs[0], tf.mul(inputs[1], this.scale))); }
    getConfig() { return Object.assign({}, super.getConfig(), { scale: this.scale }); }
  }
  CustomScaleLayer.className = 'CustomScaleLayer';

  // PyTorch's AdaptiveAvgPool2d bins: [floor(i*n/out), ceil((i+1)*n/out)).
  function bins(n, out) {
    const r = [];
    for (let i = 0; i < out; i++) r.push([Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)]);
    return r;
  }
  class AdaptiveAveragePooling2D extends tf.layers.Layer {
    constructor(args) { super(args); const o = args.outputSize; this.outputSize = Array.isArray(o) ? [o[0], o[1]] : [o, o]; }
    computeOutputShape(s) { s = shapeOf(s); return [s[0], this.outputSize[0], this.outputSize[1], s[3]]; }
    call(inputs) {
      return tf.tidy(() => {
        const pool = (t, axis, out) => {
          const n = t.shape[axis];
          if (n === out) return t;
          if (n % out === 0) { const k = n / out; const size = axis === 1 ? [k, 1] : [1, k]; return tf.avgPool(t, size, size, 'valid'); }
          return tf.concat(bins(n, out).map(([a, b]) => {
            const begin = [0, 0, 0, 0]; const len = [-1, -1, -1, -1];
            begin[axis] = a; len[axis] = b - a;
            return tf.mean(tf.slice(t, begin, len), axis, true);
          }), axis);
        };
        return pool(pool(first(inputs), 1, this.outputSize[0]), 2, this.outputSize[1]);
      });
    }
    getConfig() { return Object.assign({}, super.getConfig(), { outputSize: this.outputSize }); }
  }
  AdaptiveAveragePooling2D.className = 'AdaptiveAveragePooling2D';

  class GlobalAveragePooling2D extends tf.layers.Layer {
    constructor(args) { super(args || {}); this.keepdims = !!(args && args.keepdims); this.dataFormat = (args && args.dataFormat) || 'channelsLast'; }
    get axes() { return this.dataFormat === 'channelsLast' ? [1, 2] : [2, 3]; }
    computeOutputShape(s) {
      s = shapeOf(s); const [a, b] = this.axes;
      return this.keepdims ? s.map((d, i) => (i === a || i === b ? 1 : d)) : s.filter((_, i) => i !== a && i !== b);
    }
    call(inputs) { return tf.tidy(() => tf.mean(first(inputs), this.axes, this.keepdims)); }
    getConfig() { return Object.assign({}, super.getConfig(), { keepdims: this.keepdims, dataFormat: this.dataFormat }); }
  }
  GlobalAveragePooling2D.className = 'GlobalAveragePooling2D';

  for (const c of [Normalization, Rescaling, CustomScaleLayer, AdaptiveAveragePooling2D, GlobalAveragePooling2D]) tf.serialization.registerClass(c);
})(globalThis.tf);
`;
