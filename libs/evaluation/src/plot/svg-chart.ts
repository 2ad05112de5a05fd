/**
 * A small SVG chart writer (lines, points, shaded bands, vertical markers; panels stacked
 * vertically sharing nothing but the width). No dependencies: the pictures `vigil evaluate`
 * draws are a handful of series, and an SVG opens in any browser.
 */
export interface ChartSeries {
  readonly name: string;
  /** [x, y]; a non-finite y breaks a line. */
  readonly points: readonly (readonly [number, number])[];
  readonly kind?: 'line' | 'points';
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface ChartBand {
  readonly from: number;
  readonly to: number;
  readonly label?: string;
  readonly color?: string;
}

export interface ChartMarker {
  readonly x: number;
  readonly label?: string;
  readonly color?: string;
}

export interface ChartPanel {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly series: readonly ChartSeries[];
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  readonly bands?: readonly ChartBand[];
  readonly markers?: readonly ChartMarker[];
  /** Horizontal reference lines (e.g. a threshold). */
  readonly hlines?: readonly { readonly y: number; readonly label?: string }[];
  readonly xFormat?: (x: number) => string;
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const M = { left: 64, right: 150, top: 28, bottom: 44 };

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
}

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10ⁿ steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // Multiply rather than accumulate, and round to the step's precision, so 0.6 is not 0.6000000000000001.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    ticks.push(+(k * step).toFixed(digits));
  return ticks;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4));

function extent(values: number[], fallback: readonly [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [fallback[0], fallback[1]];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  return [lo, hi];
}

function panelSvg(panel: ChartPanel, width: number, top: number): { svg: string; height: number } {
  const height = panel.height ?? 300;
  const w = width - M.left - M.right;
  const h = height - M.top - M.bottom;
  const xs = panel.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = panel.series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = panel.xDomain ?? extent(xs, [0, 1]);
  const [y0, y1] = panel.yDomain ?? extent(ys, [0, 1]);
  const X = (x: number) => M.left + ((x - x0) / (x1 - x0)) * w;
  const Y = (y: number) => top + M.top + h - ((y - y0) / (y1 - y0)) * h;
  const clampY = (y: number) => Math.max(top + M.top, Math.min(top + M.top + h, Y(y)));
  const out: string[] = [];
  if (panel.title)
    out.push(
      `<text x="${M.left}" y="${top + 18}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
  for (const b of panel.bands ?? []) {
    const a = Math.max(X(b.from), M.left);
    const z = Math.min(X(b.to), M.left + w);
    if (z <= a) continue;
    out.push(
      `<rect x="${a.toFixed(1)}" y="${top + M.top}" width="${(z - a).toFixed(1)}" height="${h}" fill="${b.color ?? '#fdd'}" opacity="0.6"/>`,
    );
    if (b.label)
      out.push(
        `<text x="${(a + 2).toFixed(1)}" y="${top + M.top + 12}" font-size="10" fill="#a00">${escapeXml(b.label)}</text>`,
      );
  }
  // axes and ticks
  out.push(`<rect x="${M.left}" y="${top + M.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  for (const t of niceTicks(x0, x1)) {
    out.push(
      `<line x1="${X(t).toFixed(1)}" y1="${top + M.top + h}" x2="${X(t).toFixed(1)}" y2="${top + M.top + h + 4}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${X(t).toFixed(1)}" y="${top + M.top + h + 16}" font-size="10" text-anchor="middle">${escapeXml(panel.xFormat ? panel.xFormat(t) : fmt(t))}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    out.push(
      `<line x1="${M.left}" y1="${Y(t).toFixed(1)}" x2="${M.left + w}" y2="${Y(t).toFixed(1)}" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${M.left - 6}" y="${(Y(t) + 3).toFixed(1)}" font-size="10" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  if (panel.xLabel)
    out.push(
      `<text x="${M.left + w / 2}" y="${top + height - 8}" font-size="11" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`,
    );
  if (panel.yLabel) {
    const cy = top + M.top + h / 2;
    out.push(
      `<text x="14" y="${cy}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${cy})">${escapeXml(panel.yLabel)}</text>`,
    );
  }
  for (const l of panel.hlines ?? []) {
    if (l.y < y0 || l.y > y1) continue;
    out.push(
      `<line x1="${M.left}" y1="${Y(l.y).toFixed(1)}" x2="${M.left + w}" y2="${Y(l.y).toFixed(1)}" stroke="#555" stroke-dasharray="5,4"/>`,
    );
    if (l.label)
      out.push(
        `<text x="${M.left + w - 4}" y="${(Y(l.y) - 4).toFixed(1)}" font-size="10" text-anchor="end">${escapeXml(l.label)}</text>`,
      );
  }
  let legend = 0;
  panel.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.kind === 'points') {
      for (const [x, y] of s.points) {
        if (Number.isFinite(y))
          out.push(`<circle cx="${X(x).toFixed(1)}" cy="${clampY(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
      }
    } else {
      const segments: string[] = [];
      let current = '';
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y)) {
          if (current) segments.push(current);
          current = '';
          continue;
        }
        current += `${current ? 'L' : 'M'}${X(x).toFixed(1)},${clampY(y).toFixed(1)}`;
      }
      if (current) segments.push(current);
      const dash = s.dashed ? ' stroke-dasharray="6,3"' : '';
      for (const d of segments)
        out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
    }
    if (!s.name) return; // unnamed series (e.g. markers on another series' line) get no legend entry
    const ly = top + M.top + 12 + legend++ * 16;
    out.push(`<rect x="${M.left + w + 10}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${M.left + w + 24}" y="${ly}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  (panel.markers ?? []).forEach((mk, k) => {
    if (mk.x < x0 || mk.x > x1) return;
    const color = mk.color ?? '#000';
    out.push(
      `<line x1="${X(mk.x).toFixed(1)}" y1="${top + M.top}" x2="${X(mk.x).toFixed(1)}" y2="${top + M.top + h}" stroke="${color}" stroke-width="1.5"/>`,
    );
    // Labels stagger upwards so markers close together stay readable.
    if (mk.label)
      out.push(
        `<text x="${(X(mk.x) + 3).toFixed(1)}" y="${top + M.top + h - 4 - (k % 4) * 12}" font-size="10" fill="${color}">${escapeXml(mk.label)}</text>`,
      );
  });
  return { svg: out.join('\n'), height };
}

/** One SVG document with the panels stacked top to bottom. */
export function svgChart(panels: readonly ChartPanel[], width = 900): string {
  let top = 0;
  const parts: string[] = [];
  for (const p of panels) {
    const { svg, height } = panelSvg(p, width, top);
    parts.push(svg);
    top += height;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top}" viewBox="0 0 ${width} ${top}" font-family="sans-serif">`,
    `<rect width="${width}" height="${top}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
