import { VITALS } from '@vigil/contracts';
import { detectSensorFault } from './sensor-fault.rule';

const T = 60;
const F = VITALS.length;

/** A T×F window with every vital normal and the heart rate wandering, edited by `edit(t, row)`. */
function window(
  edit: (t: number, set: (vital: (typeof VITALS)[number], v: number) => void) => void = () => undefined,
): Float32Array {
  const w = new Float32Array(T * F);
  for (let t = 0; t < T; t++) {
    const set = (vital: (typeof VITALS)[number], v: number) => (w[t * F + VITALS.indexOf(vital)] = v);
    [
      ['hr', 70 + (t % 3)],
      ['spo2', 97],
      ['rr', 14],
      ['temp', 36.6],
      ['sbp', 120],
      ['dbp', 80],
      ['steps', 0],
    ].forEach(([k, v]) => set(k as (typeof VITALS)[number], v as number));
    edit(t, set);
  }
  return w;
}

describe(detectSensorFault.name, () => {
  it('finds nothing wrong with a normal window, or one with a short optical dropout', () => {
    expect(detectSensorFault(window(), T)).toBeNull();
    expect(
      detectSensorFault(
        window((t, set) => t > 40 && t < 54 && (set('hr', NaN), set('spo2', NaN), set('rr', NaN))),
        T,
      ),
    ).toBeNull();
  });

  it('calls 15 s without HR, SpO2 and respiration, while the device reports, off the wrist, until it leaves the window', () => {
    const fault = detectSensorFault(
      window((t, set) => t >= 10 && t < 25 && (set('hr', NaN), set('spo2', NaN), set('rr', NaN))),
      T,
    );
    expect(fault).toMatchObject({
      kind: 'off_wrist',
      vitals: ['hr', 'spo2', 'rr', 'temp'],
      reason: 'Check the sensor: no heart rate, SpO2 or respiration for 15 s (off the wrist?)',
    });
  });

  it('calls a skin temperature below 32 °C off the wrist even with optical readings', () => {
    expect(
      detectSensorFault(
        window((t, set) => t === 59 && set('temp', 30.2)),
        T,
      ),
    ).toMatchObject({
      kind: 'off_wrist',
      reason: 'Check the sensor: skin temperature 30.2 °C (off the wrist?)',
    });
  });

  it('says nothing for a window with no data at all (a silent device is not a sensor fault)', () => {
    expect(detectSensorFault(new Float32Array(T * F).fill(NaN), T)).toBeNull();
  });

  it('calls a heart rate identical for 60 readings stuck, but not 59', () => {
    expect(
      detectSensorFault(
        window((_, set) => set('hr', 72)),
        T,
      ),
    ).toMatchObject({ kind: 'flatline', vitals: ['hr'] });
    expect(
      detectSensorFault(
        window((t, set) => t > 0 && set('hr', 72)),
        T,
      ),
    ).toBeNull();
  });
});
