import { Coalescer } from './coalescer';

/** A request edge the test answers by hand: each call waits until the test settles it. */
function manualRequests<T>() {
  const calls: { items: readonly T[]; settle: (error?: Error) => void }[] = [];
  const request = (items: readonly T[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ items, settle: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, request };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(Coalescer.name, () => {
  it('sends the first item at once, and merges what arrives while it is in flight into the next request', async () => {
    const { calls, request } = manualRequests<string>();
    const coalescer = new Coalescer(request);
    const first = coalescer.submit('a');
    await turn();
    expect(calls.map((c) => c.items)).toEqual([['a']]);
    const later = [coalescer.submit('b'), coalescer.submit('c'), coalescer.submit('d')];
    await turn();
    expect(calls).toHaveLength(1); // one request in flight at a time
    expect(coalescer.waiting).toBe(3);
    calls[0].settle();
    await first;
    await turn();
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1].settle();
    await Promise.all(later);
    await coalescer.idle();
    expect(calls).toHaveLength(2);
  });

  it('merges what is submitted in the same turn into the first request', async () => {
    const { calls, request } = manualRequests<number>();
    const coalescer = new Coalescer(request);
    const all = [1, 2, 3].map((n) => coalescer.submit(n));
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
    calls[0].settle();
    await Promise.all(all);
  });

  it('fails exactly the callers whose request failed, and carries on with the next', async () => {
    const { calls, request } = manualRequests<string>();
    const coalescer = new Coalescer(request);
    const first = coalescer.submit('a');
    await turn();
    const second = coalescer.submit('b');
    calls[0].settle(new Error('broker away'));
    await expect(first).rejects.toThrow('broker away');
    await turn();
    expect(calls[1].items).toEqual(['b']);
    calls[1].settle();
    await expect(second).resolves.toBeUndefined();
  });

  it('takes items up to the weight bound per request, always at least one, in submission order', async () => {
    const { calls, request } = manualRequests<string>();
    const coalescer = new Coalescer(request, 10);
    const done = [
      coalescer.submit('big', 25), // over the bound alone: still sent, alone
      coalescer.submit('x', 4),
      coalescer.submit('y', 4),
      coalescer.submit('z', 4),
    ];
    for (let i = 0; i < 3; i++) {
      await turn();
      calls[i].settle();
    }
    await Promise.all(done);
    expect(calls.map((c) => c.items)).toEqual([['big'], ['x', 'y'], ['z']]);
  });

  it('is idle at once when nothing was submitted, and after the last request otherwise', async () => {
    const { calls, request } = manualRequests<string>();
    const coalescer = new Coalescer(request);
    await expect(coalescer.idle()).resolves.toBeUndefined();
    const sent = coalescer.submit('a');
    let idle = false;
    void coalescer.idle().then(() => (idle = true));
    await turn();
    expect(idle).toBe(false);
    calls[0].settle();
    await sent;
    await turn();
    expect(idle).toBe(true);
  });
});
