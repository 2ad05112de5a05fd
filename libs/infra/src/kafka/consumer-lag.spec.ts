import { consumerLag } from './consumer-lag';

describe(consumerLag.name, () => {
  it('sums end minus committed over partitions, and reports never-committed partitions apart', () => {
    expect(
      consumerLag(
        [
          { partition: 0, high: '120' },
          { partition: 1, high: '50' },
          { partition: 2, high: '7' },
        ],
        [
          { partition: 0, offset: '100' },
          { partition: 1, offset: '50' },
          { partition: 2, offset: '-1' },
        ],
      ),
    ).toEqual({ total: 20, uncommitted: 1 });
  });

  it('is 0 for a group that caught up', () => {
    expect(consumerLag([{ partition: 0, high: '9' }], [{ partition: 0, offset: '9' }])).toEqual({
      total: 0,
      uncommitted: 0,
    });
  });
});
