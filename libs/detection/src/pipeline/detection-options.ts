import type { Settings } from '@vigil/config';
import {
  type ActivityOptions,
  type ClockOptions,
  DEFAULT_ACTIVITY_OPTIONS,
  DEFAULT_CLOCK_OPTIONS,
} from '../context/activity-tracker';
import type { AlertPolicyOptions } from '../policy/alert-policy';

export interface ModelOptions {
  /**
   * Reconstruction error at which a window is abnormal: calibrated on held-out normal data to a
   * false-alert budget and stored in the model's metadata.
   */
  readonly alertError: number;
  /** The model reads each vital as its deviation from the patient's usual (else raw values). */
  readonly residualInput: boolean;
}

export interface DetectionOptions {
  /** T: slots per window. */
  readonly windowLength: number;
  /** S: a window is assessed every S slots of measurement time. */
  readonly strideSlots: number;
  readonly cadenceMs: number;
  /**
   * Alarm condition delay per dense vital and direction: a rise (fall) counts when most of this
   * many newest slots share it. Respiratory rate is estimated over breaths and impedance RR dips
   * for a minute without meaning much, so it waits longer, most of all for a fall.
   */
  readonly recentSlots: Readonly<
    Record<'hr' | 'spo2' | 'rr', { readonly rise: number; readonly fall: number }>
  >;
  readonly policy: AlertPolicyOptions;
  readonly activity: ActivityOptions;
  readonly clock: ClockOptions;
  /** Absent: no learned model; the other detectors still run. */
  readonly model?: ModelOptions;
}

export const DEFAULT_DETECTION_OPTIONS: DetectionOptions = {
  windowLength: 60,
  strideSlots: 5,
  cadenceMs: 1000,
  recentSlots: { hr: { rise: 10, fall: 10 }, spo2: { rise: 7, fall: 7 }, rr: { rise: 15, fall: 60 } },
  // Each window already needs most of its last seconds to agree (recentSlots): one such window raises.
  policy: { confirm: 1, of: 1, clear: 12, cooldownMs: 600_000 },
  activity: DEFAULT_ACTIVITY_OPTIONS,
  clock: DEFAULT_CLOCK_OPTIONS,
};

/** Alarm condition delays no longer than a window of `windowLength` slots. */
export function recentSlotsWithin(
  slots: DetectionOptions['recentSlots'],
  windowLength: number,
): DetectionOptions['recentSlots'] {
  const clamp = ({ rise, fall }: { rise: number; fall: number }) => ({
    rise: Math.min(rise, windowLength),
    fall: Math.min(fall, windowLength),
  });
  return { hr: clamp(slots.hr), spo2: clamp(slots.spo2), rr: clamp(slots.rr) };
}

/** The detection settings from the validated config: the scorer and `vigil evaluate` both use this. */
export function detectionOptionsFrom(config: Settings, model: ModelOptions | undefined): DetectionOptions {
  return {
    ...DEFAULT_DETECTION_OPTIONS,
    windowLength: config.windowSeconds,
    strideSlots: config.strideSeconds,
    recentSlots: recentSlotsWithin(DEFAULT_DETECTION_OPTIONS.recentSlots, config.windowSeconds),
    policy: {
      confirm: config.alertConfirmWindows,
      of: config.alertConfirmOf,
      clear: config.alertClearWindows,
      cooldownMs: config.alertCooldownSeconds * 1000,
    },
    clock: { ...DEFAULT_CLOCK_OPTIONS, utcOffsetMinutes: config.wardUtcOffsetMinutes },
    model,
  };
}
