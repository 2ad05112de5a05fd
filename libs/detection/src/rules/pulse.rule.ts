import { type Bands, type News2Rule, pointsFromBands } from './rule';

// ≤40: 3 · 41–50: 1 · 51–90: 0 · 91–110: 1 · 111–130: 2 · ≥131: 3
const BANDS: Bands = [
  [40, 3],
  [50, 1],
  [90, 0],
  [110, 1],
  [130, 2],
  [Infinity, 3],
];

export const pulseRule: News2Rule = {
  vital: 'hr',
  evaluate: (bpm) => pointsFromBands(BANDS, Math.round(bpm)),
};
