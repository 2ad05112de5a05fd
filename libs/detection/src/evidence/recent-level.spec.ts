import { RecentLevel } from './recent-level';

describe(RecentLevel.name, () => {
  const minute = 60_000;

  it('is the median of per-minute means 2–10 min back, unknown with fewer than 4 of those minutes', () => {
    const level = new RecentLevel();
    for (let t = 0; t < 3 * minute; t += 5000) level.add(t, 60 + (t % 10_000 === 0 ? 2 : 0));
    expect(level.at(5 * minute)).toBeNull(); // 3 minutes seen
    for (let t = 3 * minute; t < 12 * minute; t += 5000) level.add(t, t < 10 * minute ? 60 : 40);
    // Minutes 2..9 are at 60 (minute 0–2 at 61 on average have aged out); the fall in minutes 10–11 is too recent.
    expect(level.at(12 * minute)).toBe(60);
  });

  it('forgets what is older than its horizon, and everything on clear()', () => {
    const level = new RecentLevel();
    for (let t = 0; t < 10 * minute; t += 5000) level.add(t, 70);
    level.add(30 * minute, 50);
    expect(level.at(30 * minute)).toBeNull();
    const cleared = new RecentLevel();
    for (let t = 0; t < 10 * minute; t += 5000) cleared.add(t, 70);
    expect(cleared.at(10 * minute)).toBe(70);
    cleared.clear();
    expect(cleared.at(10 * minute)).toBeNull();
  });
});
