import { type Bands, type News2Rule, pointsFromBands } from './rule';

// ≤90: 3 · 91–100: 2 · 101–110: 1 · 111–219: 0 · ≥220: 3
const BANDS: Bands = [
  [90, 3],
  [100, 2],
  [110, 1],
  [219, 0],
  [Infinity, 3],
];

export const systolicPressureRule: News2Rule = {
  vital: 'sbp',
  evaluate: (mmHg) => pointsFromBands(BANDS, Math.round(mmHg)),
};
