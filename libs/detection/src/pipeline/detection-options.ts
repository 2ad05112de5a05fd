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
  /** Dense vitals (HR, SpO2, RR) are judged on the median of this many newest slots. */
  readonly recentSlots: number;
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
  recentSlots: 10,
  policy: { confirm: 2, of: 3, clear: 12, cooldownMs: 600_000 },
  activity: DEFAULT_ACTIVITY_OPTIONS,
  clock: DEFAULT_CLOCK_OPTIONS,
};

/** The detection settings from the validated config: the scorer and `vigil evaluate` both use this. */
export function detectionOptionsFrom(config: Settings, model: ModelOptions | undefined): DetectionOptions {
  return {
    ...DEFAULT_DETECTION_OPTIONS,
    windowLength: config.windowSeconds,
    strideSlots: config.strideSeconds,
    recentSlots: Math.min(DEFAULT_DETECTION_OPTIONS.recentSlots, config.windowSeconds),
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
