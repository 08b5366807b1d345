// SPDX-License-Identifier: MIT
// Keras's model.summary() for tfjs models: one row per layer, as data (for the UI's layer table)
// and as text (for the CLI and logs), with the trainable / non-trainable totals.
import type * as tf from '@tensorflow/tfjs';

export interface SummaryRow {
  name: string;
  className: string;
  /** Keras notation: '(None, 112, 112, 64)'; several outputs are joined with ', '. */
  outputShape: string;
  params: number;
  /** What training updates now (0 for a frozen layer; BN moving statistics never count). */
  trainableParams: number;
  /** Inbound tensors as Keras prints them: 'conv1_bn[0][0]'. */
  connectedTo: string[];
}

const size = (ws: readonly tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

const shapeText = (s: (number | null)[]) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;

function outputShapeText(layer: tf.layers.Layer): string {
  const s = layer.outputShape as (number | null)[] | (number | null)[][];
  return Array.isArray(s[0]) ? (s as (number | null)[][]).map(shapeText).join(', ') : shapeText(s as (number | null)[]);
}

interface InboundNode {
  inboundLayers: tf.layers.Layer[];
  nodeIndices: number[];
  tensorIndices: number[];
}

/** One row per layer of `model`, in `model.layers` order. */
export function summarizeModel(model: tf.LayersModel): SummaryRow[] {
  // A layer can have nodes from other models (a base model reused inside a bigger one); Keras
  // prints only the nodes of this model, which tfjs keeps as '<layer>_ib-<index>' keys.
  const own = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  return model.layers.map((layer) => {
    const nodes = (layer as unknown as { inboundNodes: InboundNode[] }).inboundNodes;
    const connectedTo: string[] = [];
    nodes.forEach((node, i) => {
      if (own && !own.has(`${layer.name}_ib-${i}`)) return;
      node.inboundLayers.forEach((inbound, j) => connectedTo.push(`${inbound.name}[${node.nodeIndices[j]}][${node.tensorIndices[j]}]`));
    });
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: outputShapeText(layer),
      params: layer.countParams(),
      trainableParams: size(layer.trainableWeights),
      connectedTo,
    };
  });
}

/** Keras 3's size note: float32 bytes in B / KB / MB / GB (1024-based), two decimals. */
export function formatBytes(params: number): string {
  const bytes = params * 4;
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(2)} ${units[u]}`;
}

export interface SummaryTotals {
  total: number;
  trainable: number;
  nonTrainable: number;
}

export function summaryTotals(rows: readonly SummaryRow[]): SummaryTotals {
  const total = rows.reduce((n, r) => n + r.params, 0);
  const trainable = rows.reduce((n, r) => n + r.trainableParams, 0);
  return { total, trainable, nonTrainable: total - trainable };
}

/**
 * The text of Keras's model.summary() (tf.keras 2 layout, ASCII, columns sized to fit):
 * Layer (type) | Output Shape | Param # | Connected to, then the three totals.
 */
export function formatSummary(rows: readonly SummaryRow[], modelName?: string): string {
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const body = rows.map((r) => [`${r.name} (${r.className})`, r.outputShape, r.params.toLocaleString('en-US'), r.connectedTo.join(', ') || '-']);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const width = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const t = summaryTotals(rows);
  const n = (v: number) => `${v.toLocaleString('en-US')} (${formatBytes(v)})`;
  return [
    ...(modelName ? [`Model: "${modelName}"`] : []),
    '_'.repeat(width),
    line(head),
    '='.repeat(width),
    ...body.map(line),
    '='.repeat(width),
    `Total params: ${n(t.total)}`,
    `Trainable params: ${n(t.trainable)}`,
    `Non-trainable params: ${n(t.nonTrainable)}`,
    '_'.repeat(width),
  ].join('\n');
}
