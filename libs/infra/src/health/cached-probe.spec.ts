import { CachedProbe } from './cached-probe';
import { type HealthStatus } from './health';

describe(CachedProbe.name, () => {
  it('probes at most once per max age and shares the probe in flight', async () => {
    let now = 0;
    let calls = 0;
    const probe = new CachedProbe(
      () => {
        calls++;
        return Promise.resolve({ up: true, detail: `call ${calls}` });
      },
      1000,
      500,
      () => now,
    );
    const [a, b] = await Promise.all([probe.run(), probe.run()]);
    expect(a).toEqual({ up: true, detail: 'call 1' });
    expect(b).toBe(a);
    now = 999;
    await probe.run();
    expect(calls).toBe(1);
    now = 1000;
    expect(await probe.run()).toEqual({ up: true, detail: 'call 2' });
  });

  it('reports a failed probe as down with its error, and a hanging one as down after the timeout', async () => {
    let now = 0;
    let release: (s: HealthStatus) => void = () => undefined;
    const failing = new CachedProbe(
      () => Promise.reject(new Error('ECONNREFUSED')),
      1000,
      500,
      () => now,
    );
    expect(await failing.run()).toEqual({ up: false, detail: 'ECONNREFUSED' });

    const hanging = new CachedProbe(
      () => new Promise<HealthStatus>((resolve) => (release = resolve)),
      1000,
      500,
      () => now,
    );
    void hanging.run();
    now = 600;
    expect(await hanging.run()).toEqual({ up: false, detail: 'no answer for 600 ms' });
    release({ up: true });
  });
});
