import { escapeXml, niceTicks, svgChart } from './svg-chart';

describe(niceTicks.name, () => {
  it('steps by 1, 2 or 5 × 10ⁿ', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });
});

describe(svgChart.name, () => {
  const svg = svgChart([
    {
      title: 'A <title> & more',
      series: [
        {
          name: 'line',
          points: [
            [0, 0],
            [1, 1],
            [2, NaN],
            [3, 2],
            [4, 3],
          ],
        },
        { name: 'dots', kind: 'points', points: [[1, 2]] },
      ],
      xDomain: [0, 4],
      yDomain: [0, 4],
      bands: [{ from: 1, to: 2, label: 'episode' }],
      markers: [{ x: 3, label: 'alert' }],
      hlines: [{ y: 2, label: 'threshold' }],
      height: 200,
    },
    { series: [{ name: 'second', points: [[0, 1]] }], height: 100 },
  ]);

  it('is one well-formed SVG document as tall as its panels', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="300"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('breaks a line at a missing value into two paths, and escapes text', () => {
    // panel 1: x 0..4 over 686 px from 64; y 0..4 over 128 px from 28 (bottom 156)
    expect(svg).toContain('<path d="M64.0,156.0L235.5,124.0" fill="none"');
    expect(svg).toContain('<path d="M578.5,92.0L750.0,60.0" fill="none"');
    expect(svg).toContain('A &lt;title&gt; &amp; more');
    expect(escapeXml(`"'`)).toBe('&quot;&apos;');
  });

  it('draws bands, markers, reference lines and points', () => {
    expect(svg).toContain('<rect x="235.5" y="28" width="171.5" height="128"');
    expect(svg).toContain('<line x1="578.5" y1="28" x2="578.5" y2="156"');
    expect(svg).toContain('>threshold</text>');
    expect(svg).toContain('<circle cx="235.5" cy="92.0" r="2.5"');
  });
});
