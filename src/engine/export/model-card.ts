// SPDX-License-Identifier: MIT
// The model card every export carries (Markdown and HTML): what the model is, where its weights
// come from and under which licence, the data and settings it was trained with, how well it did
// (with the confusion matrix as an image), and what it should not be used for.
import type { ModelArtifactMeta } from '../artifacts/model-artifact';
import type { PreprocessDescription } from '../zoo/preprocess';
import { loadSnippet } from './model-card-snippets';
import type { ExportContext, ExportFormat } from './types';

export interface CardInput {
  meta: ModelArtifactMeta;
  preprocess: PreprocessDescription;
  format: ExportFormat;
  /** Keras/paper name of the backbone when the zoo knows it. */
  backboneName?: string;
  paper?: { title: string; url: string; year: number };
  params: number;
  context?: ExportContext;
  /** Set when confusion.png is in the export. */
  confusionImage?: string;
  notes?: string[];
  /** Names of the export's files, for the load-and-predict snippet. */
  files?: readonly string[];
  /** Layer classes outside keras.layers in this model. */
  kerasCustom?: readonly string[];
}

/** Where the starting weights came from and the terms they carry. */
export function weightsSource(weights: string, kind: 'keras' | 'classic' | undefined): { source: string; licence: string } {
  if (weights === 'imagenet' && kind === 'keras') {
    return {
      source: 'Keras Applications ImageNet weights (storage.googleapis.com/tensorflow/keras-applications)',
      licence: 'Apache License 2.0 (Keras). The ImageNet images they were trained on have their own, non-commercial terms.',
    };
  }
  if (weights === 'none' || weights === 'random' || weights === '') return { source: 'none: trained from random initialisation', licence: 'not applicable' };
  return { source: weights, licence: 'as stated by the provider of these weights; check before redistributing' };
}

function pct(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The card as Markdown. Deterministic: no clock reads, only the inputs. */
export function modelCardMarkdown(c: CardInput): string {
  const { meta, preprocess: p, context: ctx } = c;
  const w = weightsSource(meta.weights, c.backboneName ? 'keras' : undefined);
  const lines: string[] = [];
  lines.push(`# Model card: ${meta.labels.length}-class image classifier on ${c.backboneName ?? meta.backbone}`, '');
  lines.push(`Exported by Transfer Studio as **${c.format}**${ctx?.runId !== undefined ? ` from run ${ctx.runId}` : ''}; model created ${meta.createdAt}.`, '');
  lines.push('## Model', '');
  lines.push(`- Backbone: ${c.backboneName ?? meta.backbone}${c.paper ? ` ([${c.paper.title}, ${c.paper.year}](${c.paper.url}))` : ''}`);
  lines.push(`- Parameters: ${c.params.toLocaleString('en-US')}`);
  lines.push(`- Input: ${meta.inputSize}x${meta.inputSize} ${p.colorOrder}, preprocessing \`${p.mode}\`: x' = (x * ${p.scale} + ${p.offset} - mean) / std, mean ${JSON.stringify(p.mean)}, std ${JSON.stringify(p.std)} (see preprocessing.json)`);
  lines.push(`- Output: softmax over ${meta.labels.length} classes, in the order of labels.txt`);
  if (meta.unsureThreshold !== undefined) lines.push(`- Unsure below: ${meta.unsureThreshold} top probability (chosen on the validation set; also in preprocessing.json as unsureThreshold)`);
  lines.push(`- Weights source: ${w.source}`);
  lines.push(`- Weights licence: ${w.licence}`, '');
  lines.push('## Classes', '', meta.labels.map((l, i) => `${i}. ${l}`).join('\n'), '');
  lines.push('## Data', '');
  const images = ctx?.dataset?.images;
  if (ctx?.dataset) {
    lines.push(`- Dataset: ${ctx.dataset.name}${images ? `, ${images.length} images` : ''}`);
    if (images) {
      const splits = ['train', 'validation', 'test'] as const;
      lines.push('', '| class | ' + splits.join(' | ') + ' |', '|---|' + splits.map(() => '---:').join('|') + '|');
      for (const label of meta.labels) {
        const row = splits.map((s) => images.filter((im) => im.label === label && im.split === s).length);
        lines.push(`| ${mdEscape(label)} | ${row.join(' | ')} |`);
      }
    }
  } else lines.push('- Dataset: not recorded with this model.');
  lines.push('');
  lines.push('## Training settings', '');
  if (ctx?.training && Object.keys(ctx.training).length) {
    for (const k of Object.keys(ctx.training).sort()) lines.push(`- ${k}: \`${JSON.stringify(ctx.training[k])}\``);
  } else lines.push('- Not recorded with this model.');
  lines.push('');
  lines.push('## Metrics', '');
  const ev = ctx?.evaluation;
  if (ev) {
    lines.push(`Evaluated on ${ev.n} held-out images.`, '');
    lines.push(`- Accuracy: ${pct(ev.accuracy)}; top-${Math.min(5, ev.numClasses)}: ${pct(ev.top5Accuracy)}`);
    lines.push(`- Macro F1: ${ev.macro.f1.toFixed(3)}; weighted F1: ${ev.weighted.f1.toFixed(3)}; log loss ${ev.logLoss.toFixed(4)}; ECE ${ev.ece.toFixed(4)}`, '');
    lines.push('| class | precision | recall | F1 | support |', '|---|---:|---:|---:|---:|');
    for (const m of ev.perClass) lines.push(`| ${mdEscape(m.name)} | ${m.precision.toFixed(3)} | ${m.recall.toFixed(3)} | ${m.f1.toFixed(3)} | ${m.support} |`);
    lines.push('');
    if (c.confusionImage) lines.push(`![Confusion matrix: rows are true classes, columns predicted](${c.confusionImage})`, '');
  } else lines.push('No evaluation was recorded for this model; evaluate it before relying on it.', '');
  lines.push('## Load and predict', '');
  lines.push(...loadSnippet({ format: c.format, inputSize: meta.inputSize, files: c.files ?? [], kerasCustom: c.kerasCustom ?? [] }), '');
  lines.push('## Known limits', '');
  const limits = [
    `Trained for these ${meta.labels.length} classes only: every image gets one of them, even when it shows none.`,
    'Accuracy holds only for images like the training data (camera, lighting, framing); check on your own images first.',
    `Images must be resized to ${meta.inputSize}x${meta.inputSize} and preprocessed exactly as preprocessing.json says.`,
    'Confidence scores are not calibrated probabilities unless the ECE above is small.',
    ...(ctx?.limits ?? []),
    ...(c.notes ?? []),
  ];
  for (const l of limits) lines.push(`- ${l}`);
  lines.push('');
  return lines.join('\n');
}

function escHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inline(s: string): string {
  return escHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/!\[([^\]]*)\]\(([^)]+)\)/g, '<img alt="$1" src="$2">')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>');
}

/** The same card as a self-contained HTML page (the subset of Markdown the card uses). */
export function modelCardHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let list: 'ul' | 'ol' | null = null;
  let table: string[][] | null = null;
  const close = () => {
    if (list) out.push(`</${list}>`);
    list = null;
    if (table) {
      const [head, , ...body] = table;
      out.push('<table><thead><tr>' + head.map((h) => `<th>${inline(h)}</th>`).join('') + '</tr></thead><tbody>');
      for (const r of body) out.push('<tr>' + r.map((d) => `<td>${inline(d)}</td>`).join('') + '</tr>');
      out.push('</tbody></table>');
    }
    table = null;
  };
  let code: string[] | null = null;
  for (const line of lines) {
    if (line.startsWith('```')) {
      if (code) {
        out.push(`<pre><code>${escHtml(code.join('\n'))}</code></pre>`);
        code = null;
      } else {
        close();
        code = [];
      }
      continue;
    }
    if (code) {
      code.push(line);
      continue;
    }
    const h = /^(#{1,3}) (.*)$/.exec(line);
    const li = /^- (.*)$/.exec(line);
    const oli = /^\d+\. (.*)$/.exec(line);
    if (line.startsWith('|')) {
      if (list) close();
      table ??= [];
      table.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|')));
      continue;
    }
    if (h) {
      close();
      out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`);
    } else if (li || oli) {
      const kind = li ? 'ul' : 'ol';
      if (list !== kind) {
        close();
        out.push(`<${kind}>`);
        list = kind;
      }
      out.push(`<li>${inline((li ?? oli)![1])}</li>`);
    } else if (line.trim() === '') close();
    else {
      close();
      out.push(`<p>${inline(line)}</p>`);
    }
  }
  close();
  const title = escHtml(/^# (.*)$/m.exec(markdown)?.[1] ?? 'Model card');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${title}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}td:not(:first-child){text-align:right}img{max-width:100%}code{background:#f3f3f3;padding:0 .2rem}pre{background:#f3f3f3;padding:.5rem;overflow-x:auto}</style>',
    '</head><body>',
    ...out,
    '</body></html>',
    '',
  ].join('\n');
}
