import { type Bands, type News2Rule, pointsFromBands } from './rule';

// SpO2 scale 2 (hypercapnic respiratory failure, target 88–92 %), on air:
// ≤83: 3 · 84–85: 2 · 86–87: 1 · ≥88: 0. (On oxygen, ≥93 scores again; a wearable cannot tell.)
const BANDS: Bands = [
  [83, 3],
  [85, 2],
  [87, 1],
  [Infinity, 0],
];

export const oxygenSaturationScale2Rule: News2Rule = {
  vital: 'spo2',
  evaluate: (percent) => pointsFromBands(BANDS, Math.round(percent)),
};
