// SPDX-License-Identifier: MIT
// TF.js LayersModel -> ONNX. Walks the Keras graph from the outputs back to the inputs (so an
// `outputLayer` cut exports only what that layer needs), then emits each layer call in
// topological order through the mapper table in ops/. Nested models are inlined.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { GraphBuilder, type Shape, type Value, valueOf } from './graph-builder';
import { LAYER_MAPPERS } from './ops/index';
import type { LayerContext, WeightData } from './ops/types';
import { encodeModel, type OnnxModel } from './proto';

export interface ConvertOptions {
  /**
   * Export only up to this layer (top-level layer name): its output becomes the ONNX output.
   * Used to run the frozen part of a fine-tuned model on ONNX Runtime.
   */
  outputLayer?: string;
  /** Stored in the ONNX file's metadata_props (e.g. model id, freeze boundary). */
  metadata?: Record<string, string>;
}

/** tfjs's graph node; the class is not exported from the public package. */
export interface KerasNode {
  outboundLayer: tf.layers.Layer;
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
  outputShapes: Shape | Shape[];
}

function inboundNodes(layer: tf.layers.Layer): KerasNode[] {
  return (layer as unknown as { inboundNodes: KerasNode[] }).inboundNodes;
}

function nodeOf(t: tf.SymbolicTensor): KerasNode {
  return inboundNodes(t.sourceLayer)[t.nodeIndex];
}

/** Layer calls needed for `outputs`, inputs first, stopping at tensors already known. */
export function topoOrder(outputs: tf.SymbolicTensor[], known: Set<number>): KerasNode[] {
  const order: KerasNode[] = [];
  const seen = new Set<KerasNode>();
  const stack: [KerasNode, boolean][] = outputs.filter((t) => !known.has(t.id)).map((t) => [nodeOf(t), false]);
  while (stack.length) {
    const [node, expanded] = stack.pop()!;
    if (expanded) {
      order.push(node);
      continue;
    }
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push([node, true]);
    for (const t of node.inputTensors) {
      if (known.has(t.id)) continue;
      const src = nodeOf(t);
      if (src.outboundLayer.getClassName() === 'InputLayer') {
        throw new AppError('INVALID_INPUT', `Layer ${node.outboundLayer.name} reads input ${src.outboundLayer.name}, which is not an input of the model being exported.`);
      }
      if (!seen.has(src)) stack.push([src, false]);
    }
  }
  return order;
}

function weightReader(layer: tf.layers.Layer): (shortName: string) => WeightData | undefined {
  let map: Map<string, WeightData> | undefined;
  return (shortName) => {
    if (!map) {
      map = new Map();
      const values = layer.getWeights();
      layer.weights.forEach((w, i) => {
        const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
        // A copy: folding rewrites weights in place and must never touch the live model.
        map!.set(short, { shape: [...values[i].shape], data: Float32Array.from(values[i].dataSync() as Float32Array) });
      });
    }
    return map.get(shortName);
  };
}

function configOf(layer: tf.layers.Layer): Record<string, unknown> {
  try {
    return layer.getConfig() as Record<string, unknown>;
  } catch {
    // A custom layer without getConfig: mappers fall back to their defaults and fail if they need more.
    return {};
  }
}

class Walker {
  private readonly calls = new Map<tf.layers.Layer, number>();
  private readonly readers = new Map<tf.layers.Layer, (s: string) => WeightData | undefined>();

  constructor(private readonly g: GraphBuilder) {}

  /** Emits the part of `model`'s graph that `outputs` need, given values for the model's inputs. */
  emit(model: tf.LayersModel, inputs: Value[], outputs: tf.SymbolicTensor[]): Value[] {
    const memo = new Map<number, Value>();
    model.inputs.forEach((t, i) => memo.set(t.id, inputs[i]));
    const order = topoOrder(outputs, new Set(memo.keys()));
    const uses = new Map<number, number>();
    const use = (t: tf.SymbolicTensor) => uses.set(t.id, (uses.get(t.id) ?? 0) + 1);
    for (const node of order) node.inputTensors.forEach(use);
    outputs.forEach(use);
    for (const node of order) {
      const ins = node.inputTensors.map((t) => memo.get(t.id)!);
      const layer = node.outboundLayer;
      const outs =
        layer instanceof tf.LayersModel
          ? this.emit(layer, ins, layer.outputs)
          : this.mapLayer(node, ins, node.inputTensors.map((t) => uses.get(t.id) === 1));
      node.outputTensors.forEach((t, i) => memo.set(t.id, outs[i]));
    }
    return outputs.map((t) => memo.get(t.id)!);
  }

  private mapLayer(node: KerasNode, inputs: Value[], soleConsumer: boolean[]): Value[] {
    const layer = node.outboundLayer;
    const className = layer.getClassName();
    const mapper = LAYER_MAPPERS[className];
    if (!mapper) {
      throw new AppError('UNSUPPORTED', `ONNX export does not support layer ${layer.name} (${className}) yet.`, {
        layer: layer.name,
        className,
        supported: Object.keys(LAYER_MAPPERS),
      });
    }
    const call = this.calls.get(layer) ?? 0;
    this.calls.set(layer, call + 1);
    if (!this.readers.has(layer)) this.readers.set(layer, weightReader(layer));
    const shapes = node.outputShapes;
    const ctx: LayerContext = {
      g: this.g,
      layer,
      className,
      config: configOf(layer),
      inputs,
      outputShapes: (Array.isArray(shapes[0]) ? shapes : [shapes]) as Shape[],
      soleConsumer,
      name: call === 0 ? layer.name : `${layer.name}_call${call}`,
      weight: this.readers.get(layer)!,
    };
    try {
      return mapper(ctx);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('INTERNAL', `ONNX export failed at layer ${layer.name} (${className}): ${(err as Error).message}`, { layer: layer.name }, { cause: err });
    }
  }
}

/** The output tensors of `outputLayer` (or the model's outputs) as this model uses them. */
export function outputTensorsFor(model: tf.LayersModel, outputLayer?: string): tf.SymbolicTensor[] {
  if (outputLayer === undefined) return model.outputs;
  const layer = model.layers.find((l) => l.name === outputLayer);
  if (!layer) {
    throw new AppError('INVALID_ARGUMENT', `outputLayer ${JSON.stringify(outputLayer)} is not a top-level layer of model ${model.name}. Pass one of its layer names (e.g. ${model.layers.slice(-3).map((l) => l.name).join(', ')}).`, { received: outputLayer });
  }
  const nodes = inboundNodes(layer);
  // A layer reused across models has one node per call; the model's own is the one it lists.
  const own = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  const index = nodes.findIndex((_, i) => !own || own.has(`${layer.name}_ib-${i}`));
  if (index < 0 || nodes[index].outputTensors.length !== 1) {
    throw new AppError('UNSUPPORTED', `outputLayer ${outputLayer} has ${nodes.length} calls or several outputs in model ${model.name}; pick a layer with one output.`);
  }
  return nodes[index].outputTensors;
}

/** Builds the in-memory ONNX graph for `model` (useful for inspecting nodes before encoding). */
export function buildOnnxGraph(model: tf.LayersModel, opts: ConvertOptions = {}): OnnxModel {
  const g = new GraphBuilder();
  const inputs = model.inputs.map((t) => {
    const name = t.sourceLayer.name;
    g.reserve(name);
    return { name, shape: [...t.shape] as Shape };
  });
  const outputs = outputTensorsFor(model, opts.outputLayer);
  // Reserved first so the graph outputs carry the clean Keras layer names.
  const outputNames = outputs.map((t) => g.unique(t.sourceLayer.name));
  const walker = new Walker(g);
  const values = walker.emit(model, inputs.map((i) => valueOf(i.shape, 'keras', i.name)), outputs);
  const outputInfo = values.map((v, i) => {
    const name = outputNames[i];
    g.nodes.push({ opType: 'Identity', name, inputs: [g.as(v, 'keras')], outputs: [name], attrs: {} });
    return { name, shape: v.shape };
  });
  return {
    graphName: model.name,
    nodes: g.nodes,
    initializers: [...g.initializers.values()],
    inputs,
    outputs: outputInfo,
    producerVersion: tf.version_layers,
    docString: `Converted from the TF.js LayersModel ${model.name}${opts.outputLayer ? ` up to layer ${opts.outputLayer}` : ''}. Input is NHWC float32, as the app feeds it.`,
    metadata: opts.metadata,
  };
}

/**
 * Converts a TF.js LayersModel (with its current weights) to ONNX bytes, opset 17. The input is
 * NHWC float32 with a dynamic batch; outputs keep Keras's shapes.
 * @throws AppError UNSUPPORTED for a layer class (or option) the exporter has no mapper for.
 * @throws AppError INVALID_ARGUMENT when `outputLayer` is not a top-level layer.
 */
export function convertModel(model: tf.LayersModel, opts: ConvertOptions = {}): Uint8Array {
  return encodeModel(buildOnnxGraph(model, opts));
}
