import { OrderedAckQueue } from './ordered-ack.queue';

describe(OrderedAckQueue.name, () => {
  it('releases acknowledgements in arrival order, holding those that finished early', () => {
    const q = new OrderedAckQueue();
    [5, 9, 2, 7].forEach((id) => q.received(id));
    expect(q.settle(9)).toEqual([]);
    expect(q.settle(2)).toEqual([]);
    expect(q.settle(5)).toEqual([5, 9, 2]);
    expect(q.size).toBe(1);
    expect(q.settle(7)).toEqual([7]);
    expect(q.size).toBe(0);
  });

  it('forgets everything when the connection drops', () => {
    const q = new OrderedAckQueue();
    q.received(1);
    q.received(2);
    q.clear();
    expect(q.settle(1)).toEqual([]);
    expect(q.size).toBe(0);
  });
});
