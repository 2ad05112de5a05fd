import { owner, summarizeCpuProfile, type CpuProfile } from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('summarizeCpuProfile', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('parse', 'file:///repo/node_modules/zod/v4/core/parse.js', 9) },
      {
        id: 4,
        callFrame: frame('score', 'file:///repo/dist/libs/detection/src/pipeline/window-scorer.js', 41),
      },
      { id: 5, callFrame: frame('(garbage collector)') },
    ],
    samples: [2, 3, 3, 4, 5, 2, 3, 4],
    timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100],
  };

  it('shares self-time by frame and by owner over all samples, idle apart', () => {
    const s = summarizeCpuProfile(profile);
    expect(s.seconds).toBeCloseTo(0.0008);
    expect(s.busy).toBeCloseTo(6 / 8);
    expect(s.gc).toBeCloseTo(1 / 8);
    expect(s.top[0]).toEqual({ frame: 'parse (zod/v4/core/parse.js:10)', self: 3 / 8 });
    expect(s.byOwner.map((o) => o.frame)).toEqual(['zod', 'libs/detection', '(garbage collector)']);
  });

  it('keeps only the hottest frames asked for', () => {
    expect(summarizeCpuProfile(profile, 1).top).toHaveLength(1);
  });
});

describe('owner', () => {
  it('names scoped packages, Node internals and the project part', () => {
    expect(owner('file:///r/node_modules/@nestjs/core/x.js', 'f')).toBe('@nestjs/core');
    expect(owner('node:internal/streams/readable', 'f')).toBe('node:internal');
    expect(owner('file:///r/dist/apps/ingest/src/main.js', 'f')).toBe('apps/ingest');
    expect(owner('', '(garbage collector)')).toBe('(garbage collector)');
  });
});
