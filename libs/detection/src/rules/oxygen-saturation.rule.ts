import { type Bands, type News2Rule, pointsFromBands } from './rule';

// SpO2 scale 1 (no hypercapnic respiratory failure known): ≤91: 3 · 92–93: 2 · 94–95: 1 · ≥96: 0
const BANDS: Bands = [
  [91, 3],
  [93, 2],
  [95, 1],
  [Infinity, 0],
];

export const oxygenSaturationRule: News2Rule = {
  vital: 'spo2',
  evaluate: (percent) => pointsFromBands(BANDS, Math.round(percent)),
};
