import { type Bands, type News2Rule, pointsFromBands } from './rule';

// ≤8: 3 · 9–11: 1 · 12–20: 0 · 21–24: 2 · ≥25: 3
const BANDS: Bands = [
  [8, 3],
  [11, 1],
  [20, 0],
  [24, 2],
  [Infinity, 3],
];

export const respirationRateRule: News2Rule = {
  vital: 'rr',
  evaluate: (breathsPerMin) => pointsFromBands(BANDS, Math.round(breathsPerMin)),
};
