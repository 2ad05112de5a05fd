import { trainingCurveSvg } from './training-curve';

describe(trainingCurveSvg.name, () => {
  it('draws both curves through every epoch and marks the best one', () => {
    const svg = trainingCurveSvg(
      [
        { epoch: 1, loss: 1, valLoss: 0.8 },
        { epoch: 2, loss: 0.5, valLoss: 0.4 },
        { epoch: 3, loss: 0.3, valLoss: 0.45 },
      ],
      2,
      'a <b> & c',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1].split(' ').length);
    expect(paths).toEqual([3, 3]);
    expect(svg).toContain('a &lt;b> &amp; c');
    expect(svg).toContain('>best</text>');
  });
});
