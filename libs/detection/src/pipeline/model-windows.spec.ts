import { VITALS } from '@vigil/contracts';
import { samples, WARM_UP_S } from '../scenarios/scenario-helpers';
import { DEFAULT_DETECTION_OPTIONS } from './detection-options';
import { modelWindowsOf } from './model-windows';

describe(modelWindowsOf.name, () => {
  const options = { ...DEFAULT_DETECTION_OPTIONS, model: { alertError: 1, residualInput: true } };

  it('yields a window every stride once the heart rate’s normal is learned, as deviations from the usual', () => {
    const windows = [...modelWindowsOf(options, samples('p1', 0, WARM_UP_S + 60))];
    expect(windows.length).toBeGreaterThan(10);
    expect(windows.length).toBeLessThan((WARM_UP_S + 60) / 5 - 25 * 12); // none in the first ~30 min
    const last = windows.at(-1)!;
    expect(last.at - windows.at(-2)!.at).toBe(5000);
    const spo2 = last.input[59 * VITALS.length + VITALS.indexOf('spo2')];
    expect(Math.abs(spo2)).toBeLessThan(0.5); // 97 % against a usual of 97 %
  });

  it('hands raw values when the model was trained on raw input', () => {
    const raw = { ...options, model: { alertError: 1, residualInput: false } };
    const last = [...modelWindowsOf(raw, samples('p1', 0, WARM_UP_S + 60))].at(-1)!;
    expect(last.input[59 * VITALS.length + VITALS.indexOf('spo2')]).toBe(97);
  });
});
