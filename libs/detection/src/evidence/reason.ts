import { type Vital } from '@vigil/contracts';
import { type ActivityState } from '../context/activity-tracker';
import { type Finding, type VitalNow } from './condition';

const SHORT: Readonly<Record<Vital, { label: string; unit: string }>> = {
  hr: { label: 'HR', unit: 'bpm' },
  spo2: { label: 'SpO2', unit: '%' },
  rr: { label: 'RR', unit: '/min' },
  temp: { label: 'Temp', unit: '°C' },
  sbp: { label: 'SBP', unit: 'mmHg' },
  dbp: { label: 'DBP', unit: 'mmHg' },
  steps: { label: 'Steps', unit: '' },
};

const fmt = (vital: Vital, x: number) => (vital === 'temp' ? x.toFixed(1) : String(Math.round(x)));
const quantity = (vital: Vital, x: number) => `${fmt(vital, x)} ${SHORT[vital].unit}`;

function duration(ms: number): string {
  if (ms < 60_000) return '';
  const min = Math.round(ms / 60_000);
  return min < 120 ? ` for ${min} min` : ` for ${Math.round(min / 60)} h`;
}

/**
 * What a nurse reads: only the vitals that are off, each with the patient's usual and for how long,
 * e.g. "SpO2 87 % (usual 96 %) for 2 min, RR 24 /min (usual 14 /min)". Scores stay in the evidence.
 */
export function describeCondition(
  findings: readonly Finding[],
  at: number,
  activity: ActivityState,
  modelTop: readonly Vital[],
  vitals: Partial<Record<Vital, VitalNow>>,
  news2Total: number,
): string {
  const parts = findings.map((f) => {
    const usual = f.usual !== null ? ` (usual ${quantity(f.vital, f.usual)})` : '';
    const what =
      f.irregular && f.limit === null && Math.abs(f.z) < 3
        ? 'irregular heart rhythm, HR'
        : SHORT[f.vital].label;
    return `${what} ${quantity(f.vital, f.value)}${usual}${duration(at - f.since)}`;
  });
  let text: string;
  if (parts.length > 0) {
    text = parts.join(', ');
    if (findings.some((f) => f.usual === null) && news2Total >= 5) text += ` (NEWS2 ${news2Total})`;
  } else if (news2Total >= 7) {
    text = `NEWS2 ${news2Total}`;
  } else {
    const named = modelTop
      .map((v) => [v, vitals[v]] as const)
      .filter((e): e is readonly [Vital, VitalNow] => e[1] !== undefined)
      .map(
        ([v, now]) =>
          `${SHORT[v].label} ${quantity(v, now.value)}${now.ready ? ` (usual ${quantity(v, now.usual)})` : ''}`,
      );
    text = `Unusual pattern of vital signs for this patient${named.length ? `: ${named.join(', ')}` : ''}`;
  }
  if (activity === 'active') text += ', during activity';
  else if (activity === 'recovery') text += ', after activity';
  return text;
}
