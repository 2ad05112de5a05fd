import { backoffDelay, DEFAULT_RESTART_POLICY, onAppExit } from './restart-policy';

describe(onAppExit.name, () => {
  const killed = { code: null, signal: 'SIGKILL' };

  it('restarts a crashed app after 1 s, 2 s, 4 s … capped at 30 s while it keeps crashing', () => {
    const delays: number[] = [];
    let run = { crashes: 0, startedAt: 0 };
    let now = 0;
    for (let i = 0; i < 8; i++) {
      now += 5_000; // up 5 s each time, then crashes again
      const decision = onAppExit(run, { code: 1, signal: null }, now);
      if (decision.kind !== 'restart') throw new Error(decision.kind);
      delays.push(decision.delayMs);
      now += decision.delayMs;
      run = { crashes: decision.crashes, startedAt: now };
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts the schedule again after a run of at least 60 s', () => {
    expect(onAppExit({ crashes: 6, startedAt: 0 }, killed, 59_999)).toMatchObject({
      kind: 'restart',
      delayMs: 30_000,
      crashes: 7,
    });
    expect(onAppExit({ crashes: 6, startedAt: 0 }, killed, 60_000)).toEqual({
      kind: 'restart',
      delayMs: 1000,
      crashes: 1,
      upMs: 60_000,
    });
  });

  it('treats a signal as a crash, ignores a clean exit, gives up on a configuration error', () => {
    expect(onAppExit({ crashes: 0, startedAt: 0 }, killed, 10)).toMatchObject({
      kind: 'restart',
      delayMs: 1000,
    });
    expect(onAppExit({ crashes: 0, startedAt: 0 }, { code: 0, signal: null }, 10)).toEqual({
      kind: 'ignore',
    });
    expect(onAppExit({ crashes: 0, startedAt: 0 }, { code: 78, signal: null }, 10).kind).toBe('give-up');
  });
});

describe(backoffDelay.name, () => {
  it('never exceeds the cap, even after very many crashes', () => {
    expect(backoffDelay(1000)).toBe(DEFAULT_RESTART_POLICY.maxDelayMs);
  });
});
