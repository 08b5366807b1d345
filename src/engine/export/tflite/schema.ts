// SPDX-License-Identifier: MIT
// The parts of TensorFlow Lite's schema (tensorflow/lite/schema/schema.fbs, file identifier
// "TFL3", schema version 3) that the exporter writes: enum values and table field slots.
// A flatbuffers union takes two slots (type, value), which is why some slots skip a number.

export const TFLITE_SCHEMA_VERSION = 3;
export const TFLITE_FILE_ID = 'TFL3';

export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 } as const;

export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  PAD: 34,
  MEAN: 40,
  SUB: 41,
  STRIDED_SLICE: 45,
} as const;
export type BuiltinOp = keyof typeof BuiltinOperator;

/** BuiltinOptions union: index of each options table (1-based, NONE = 0). */
export const BuiltinOptions = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  SubOptions: 28,
  StridedSliceOptions: 32,
  DequantizeOptions: 38,
} as const;
export type OptionsKind = keyof typeof BuiltinOptions;

export const Padding = { SAME: 0, VALID: 1 } as const;
export const Activation = { NONE: 0, RELU: 1, RELU6: 3 } as const;

/** Field slots per table. */
export const Slot = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4, metadata_buffer: 5, metadata: 6 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5 },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zero_point: 3, quantized_dimension: 6 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 },
  Buffer: { data: 0 },
  Metadata: { name: 0, buffer: 1 },
} as const;

/** Options tables: field name -> [slot, kind], in slot order. */
export const OptionFields: Record<OptionsKind, Record<string, [number, 'byte' | 'int' | 'float' | 'bool' | 'intvec']>> = {
  Conv2DOptions: { padding: [0, 'byte'], stride_w: [1, 'int'], stride_h: [2, 'int'], fused_activation_function: [3, 'byte'], dilation_w_factor: [4, 'int'], dilation_h_factor: [5, 'int'] },
  DepthwiseConv2DOptions: {
    padding: [0, 'byte'],
    stride_w: [1, 'int'],
    stride_h: [2, 'int'],
    depth_multiplier: [3, 'int'],
    fused_activation_function: [4, 'byte'],
    dilation_w_factor: [5, 'int'],
    dilation_h_factor: [6, 'int'],
  },
  Pool2DOptions: { padding: [0, 'byte'], stride_w: [1, 'int'], stride_h: [2, 'int'], filter_width: [3, 'int'], filter_height: [4, 'int'], fused_activation_function: [5, 'byte'] },
  FullyConnectedOptions: { fused_activation_function: [0, 'byte'], weights_format: [1, 'byte'], keep_num_dims: [2, 'bool'] },
  SoftmaxOptions: { beta: [0, 'float'] },
  ConcatenationOptions: { axis: [0, 'int'], fused_activation_function: [1, 'byte'] },
  AddOptions: { fused_activation_function: [0, 'byte'] },
  ReshapeOptions: { new_shape: [0, 'intvec'] },
  MulOptions: { fused_activation_function: [0, 'byte'] },
  PadOptions: {},
  ReducerOptions: { keep_dims: [0, 'bool'] },
  SubOptions: { fused_activation_function: [0, 'byte'] },
  StridedSliceOptions: { begin_mask: [0, 'int'], end_mask: [1, 'int'], ellipsis_mask: [2, 'int'], new_axis_mask: [3, 'int'], shrink_axis_mask: [4, 'int'] },
  DequantizeOptions: {},
};
