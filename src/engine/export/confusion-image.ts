// SPDX-License-Identifier: MIT
// The confusion matrix as an SVG (rows: true class, columns: predicted; shade = share of the row)
// and as a PNG rendered from it with sharp, for model cards that must show it as an image.
import sharp from 'sharp';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Square cells, class names on both axes, counts in each cell. */
export function confusionSvg(confusion: number[][], classNames: string[]): string {
  const k = classNames.length;
  const cell = Math.max(18, Math.min(56, Math.floor(640 / Math.max(k, 1))));
  const label = 130;
  const size = label + k * cell + 20;
  const font = Math.max(8, Math.min(14, Math.floor(cell / 3)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 30}" viewBox="0 0 ${size} ${size + 30}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${label + (k * cell) / 2}" y="${size + 22}" font-family="DejaVu Sans, sans-serif" font-size="13" text-anchor="middle" fill="#222">predicted class</text>`,
    `<text x="14" y="${label + (k * cell) / 2}" font-family="DejaVu Sans, sans-serif" font-size="13" text-anchor="middle" fill="#222" transform="rotate(-90 14 ${label + (k * cell) / 2})">true class</text>`,
  ];
  for (let i = 0; i < k; i++) {
    const row = confusion[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    const y = label + i * cell;
    parts.push(`<text x="${label - 6}" y="${y + cell / 2 + font / 3}" font-family="DejaVu Sans, sans-serif" font-size="${font}" text-anchor="end" fill="#222">${esc(clip(classNames[i], 16))}</text>`);
    parts.push(
      `<text x="${label + i * cell + cell / 2}" y="${label - 6}" font-family="DejaVu Sans, sans-serif" font-size="${font}" text-anchor="start" fill="#222" transform="rotate(-45 ${label + i * cell + cell / 2} ${label - 6})">${esc(clip(classNames[i], 16))}</text>`,
    );
    for (let j = 0; j < k; j++) {
      const v = row[j] ?? 0;
      const share = total > 0 ? v / total : 0;
      const shade = Math.round(255 - share * 200);
      const fill = i === j ? `rgb(${shade},${Math.round(255 - share * 120)},${shade})` : `rgb(255,${shade},${shade})`;
      const x = label + j * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#999" stroke-width="0.5"/>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + font / 3}" font-family="DejaVu Sans, sans-serif" font-size="${font}" text-anchor="middle" fill="#111">${v}</text>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** PNG bytes of confusionSvg (sharp/librsvg; deterministic for one sharp build). */
export async function confusionPng(confusion: number[][], classNames: string[]): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(confusionSvg(confusion, classNames))).png({ compressionLevel: 9 }).toBuffer();
  return new Uint8Array(png);
}
