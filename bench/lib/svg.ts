/**
 * A dependency-free SVG writer for the benchmark chart: panels of grouped vertical bars, stacked top to bottom.
 * Pure: returns the document as a string.
 */

/** One bar. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** Bars shown side by side under one label (e.g. controller and baseline at N = 100). */
export interface BarGroup {
  readonly label: string;
  readonly bars: readonly Bar[];
  /** Shown under the group label (e.g. "ratio 0.91"). */
  readonly note?: string;
}

/** One chart. */
export interface Panel {
  readonly title: string;
  /** Unit of the values, printed on the axis and above the bars. */
  readonly unit: string;
  readonly groups: readonly BarGroup[];
}

/** Layout constants (px). */
const WIDTH = 640;
const PANEL_HEIGHT = 230;
const MARGIN = { top: 34, right: 16, bottom: 46, left: 56 };
const PALETTE = ['#3b6fb6', '#e08a2e', '#4a9a5b', '#9b59b6', '#c0392b', '#7f8c8d'];

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A "nice" axis maximum ≥ `max` (1, 2, 2.5 or 5 × 10^k). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= max) return m * exp;
  return 10 * exp;
}

/** Formats a value compactly for labels (3 significant digits, no exponent for usual ranges). */
export function formatValue(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 10) return value.toFixed(1).replace(/\.0$/, '');
  return value.toFixed(2).replace(/\.?0+$/, '');
}

const r1 = (n: number) => Math.round(n * 10) / 10;

function panelSvg(panel: Panel, y0: number, colors: ReadonlyMap<string, string>): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = y0 + MARGIN.top;
  const bottom = top + plotH;
  const values = panel.groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite);
  const max = niceMax(Math.max(0, ...values));
  const out: string[] = [];
  out.push(`<text x="${MARGIN.left}" y="${y0 + 20}" class="title">${escapeXml(panel.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = r1(bottom - (plotH * i) / 4);
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" class="grid"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${y + 4}" class="axis" text-anchor="end">${escapeXml(formatValue(v))}</text>`);
  }
  out.push(`<text x="14" y="${r1(top + plotH / 2)}" class="axis" transform="rotate(-90 14 ${r1(top + plotH / 2)})" text-anchor="middle">${escapeXml(panel.unit)}</text>`);
  const groupW = panel.groups.length > 0 ? plotW / panel.groups.length : plotW;
  panel.groups.forEach((g, gi) => {
    const gx = MARGIN.left + gi * groupW;
    const barW = Math.min(48, (groupW * 0.8) / Math.max(1, g.bars.length));
    const startX = gx + (groupW - barW * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      const v = Number.isFinite(b.value) ? Math.max(0, b.value) : 0;
      const h = (plotH * v) / max;
      const x = r1(startX + bi * barW);
      const y = r1(bottom - h);
      out.push(`<rect x="${x}" y="${y}" width="${r1(barW - 2)}" height="${r1(h)}" fill="${colors.get(b.label)}"><title>${escapeXml(`${g.label} ${b.label}: ${formatValue(b.value)} ${panel.unit}`)}</title></rect>`);
      out.push(`<text x="${r1(x + barW / 2 - 1)}" y="${r1(y - 3)}" class="value" text-anchor="middle">${escapeXml(formatValue(b.value))}</text>`);
    });
    const cx = r1(gx + groupW / 2);
    out.push(`<text x="${cx}" y="${bottom + 16}" class="axis" text-anchor="middle">${escapeXml(g.label)}</text>`);
    if (g.note) out.push(`<text x="${cx}" y="${bottom + 30}" class="note" text-anchor="middle">${escapeXml(g.note)}</text>`);
  });
  return out.join('\n');
}

/** The SVG document of `panels`, with a legend of every bar label and an optional footer line. */
export function renderSvg(panels: readonly Panel[], footer?: string): string {
  const labels = [...new Set(panels.flatMap((p) => p.groups.flatMap((g) => g.bars.map((b) => b.label))))];
  const colors = new Map(labels.map((l, i) => [l, PALETTE[i % PALETTE.length]!]));
  const legendH = 24;
  const footerH = footer ? 18 : 0;
  const height = legendH + panels.length * PANEL_HEIGHT + footerH;
  const body: string[] = [];
  let lx = MARGIN.left;
  for (const l of labels) {
    body.push(`<rect x="${lx}" y="8" width="10" height="10" fill="${colors.get(l)}"/><text x="${lx + 14}" y="17" class="axis">${escapeXml(l)}</text>`);
    lx += 24 + l.length * 6.5;
  }
  panels.forEach((p, i) => body.push(panelSvg(p, legendH + i * PANEL_HEIGHT, colors)));
  if (footer) body.push(`<text x="8" y="${height - 5}" class="note">${escapeXml(footer)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:13px;font-weight:bold}.axis{font-size:11px;fill:#333}.value{font-size:10px;fill:#111}.note{font-size:10px;fill:#555}.grid{stroke:#ddd;stroke-width:1}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
