/** The training curve as a small standalone SVG: loss and validation loss per epoch, best epoch marked. */
export function trainingCurveSvg(
  history: readonly { epoch: number; loss: number; valLoss: number }[],
  bestEpoch: number,
  title: string,
): string {
  const W = 640;
  const H = 360;
  const m = { l: 64, r: 20, t: 40, b: 44 };
  const xs = history.map((h) => h.epoch);
  const ys = history.flatMap((h) => [h.loss, h.valLoss]).filter(Number.isFinite);
  const xMin = Math.min(...xs, 1);
  const xMax = Math.max(...xs, xMin + 1);
  const yMin = Math.min(...ys, 0) * 0.95;
  const yMax = Math.max(...ys, 1e-9) * 1.05;
  const px = (x: number) => m.l + ((x - xMin) / (xMax - xMin)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const path = (key: 'loss' | 'valLoss') =>
    history
      .map((h, i) => `${i === 0 ? 'M' : 'L'}${px(h.epoch).toFixed(1)},${py(h[key]).toFixed(1)}`)
      .join(' ');
  const yTicks = Array.from({ length: 5 }, (_, i) => yMin + ((yMax - yMin) * i) / 4);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`,
    ...yTicks.map(
      (y) =>
        `<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${y.toPrecision(3)}</text><line x1="${m.l}" y1="${py(y)}" x2="${W - m.r}" y2="${py(y)}" stroke="#eee"/>`,
    ),
    ...xs.map((x) => `<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${x}</text>`),
    `<text x="${(W + m.l) / 2}" y="${H - 8}" text-anchor="middle">epoch</text>`,
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">masked MSE (normalised units)</text>`,
    `<line x1="${px(bestEpoch)}" y1="${m.t}" x2="${px(bestEpoch)}" y2="${H - m.b}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<text x="${px(bestEpoch) + (px(bestEpoch) > W / 2 ? -4 : 4)}" y="${m.t + 12}" fill="#666" text-anchor="${px(bestEpoch) > W / 2 ? 'end' : 'start'}">best</text>`,
    `<path d="${path('loss')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    `<path d="${path('valLoss')}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<text x="${W / 2}" y="${m.t + 12}" fill="#1f77b4">— loss</text>`,
    `<text x="${W / 2}" y="${m.t + 28}" fill="#d62728">— val_loss</text>`,
    '</svg>',
    '',
  ].join('\n');
}
