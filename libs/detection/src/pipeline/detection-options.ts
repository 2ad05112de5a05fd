import type { Settings } from '@vigil/config';
import type { AlertPolicyOptions } from '../policy/alert-policy';

export interface ModelOptions {
  /** The population's typical reconstruction error (the personal baseline's prior). */
  readonly typicalError: number;
  /** error / patient's usual at or above which a window is abnormal (low severity)… */
  readonly alertRatio: number;
  /** …and at or above which it is medium. The model alone never raises high: that needs NEWS2. */
  readonly mediumRatio: number;
}

export interface DetectionOptions {
  /** T: slots per window. */
  readonly windowLength: number;
  /** S: a window is scored every S slots of measurement time. */
  readonly strideSlots: number;
  readonly cadenceMs: number;
  /** NEWS2 looks at the median of this many newest slots (robust to single noisy readings). */
  readonly news2Slots: number;
  readonly policy: AlertPolicyOptions;
  /** Absent: NEWS2 only. */
  readonly model?: ModelOptions;
}

export const DEFAULT_DETECTION_OPTIONS: DetectionOptions = {
  windowLength: 60,
  strideSlots: 5,
  cadenceMs: 1000,
  news2Slots: 30,
  policy: { confirm: 3, of: 4, clear: 6, cooldownMs: 600_000 },
};

/** The detection settings from the validated config: the scorer and `vigil evaluate` both use this. */
export function detectionOptionsFrom(config: Settings, model: ModelOptions | undefined): DetectionOptions {
  return {
    windowLength: config.windowSeconds,
    strideSlots: config.strideSeconds,
    cadenceMs: 1000,
    news2Slots: Math.min(DEFAULT_DETECTION_OPTIONS.news2Slots, config.windowSeconds),
    policy: {
      confirm: config.alertConfirmWindows,
      of: config.alertConfirmOf,
      clear: config.alertClearWindows,
      cooldownMs: config.alertCooldownSeconds * 1000,
    },
    model,
  };
}
