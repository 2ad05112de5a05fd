import { type Bands, type News2Rule, pointsFromBands } from './rule';

// ≤35.0: 3 · 35.1–36.0: 1 · 36.1–38.0: 0 · 38.1–39.0: 1 · ≥39.1: 2
const BANDS: Bands = [
  [35.0, 3],
  [36.0, 1],
  [38.0, 0],
  [39.0, 1],
  [Infinity, 2],
];

export const temperatureRule: News2Rule = {
  vital: 'temp',
  evaluate: (celsius) => pointsFromBands(BANDS, Math.round(celsius * 10) / 10),
};
