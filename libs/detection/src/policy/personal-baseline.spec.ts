import { PersonalBaseline } from './personal-baseline';

describe(PersonalBaseline.name, () => {
  it('starts from the population prior', () => {
    expect(new PersonalBaseline(0.2).ratio(0.8)).toBeCloseTo(4);
  });

  it('moves towards the patient’s own median as windows are learned', () => {
    const b = new PersonalBaseline(0.2, 720, 10);
    for (let i = 0; i < 990; i++) b.learn(0.5);
    expect(b.usual).toBeGreaterThan(0.49);
    expect(b.usual).toBeLessThanOrEqual(0.5);
  });

  it('forgets windows beyond its capacity', () => {
    const b = new PersonalBaseline(1, 10, 0);
    for (let i = 0; i < 10; i++) b.learn(100);
    for (let i = 0; i < 10; i++) b.learn(2);
    expect(b.usual).toBe(2);
  });
});
