import type { AlertView, Silence } from '@vigil/contracts';
import { announced } from '@vigil/alerting/silence';

const MUTE_KEY = 'vigil.station.muted';

/**
 * Announces a new high alert: a beep (WebAudio; muted per station, remembered in this browser),
 * the patient's tile flashing, and the text in an assertive live region for screen readers.
 * Medium and low alerts are said politely, without sound. A silence set on the patient holds the
 * announcement unless the alert is more severe than what was silenced (the pure rule `announced`).
 */
export class Announcer {
  private audio: AudioContext | null = null;

  constructor(
    private readonly assertive: HTMLElement,
    private readonly polite: HTMLElement,
    private readonly mute: HTMLInputElement,
  ) {
    mute.checked = localStorage.getItem(MUTE_KEY) === '1';
    mute.addEventListener('change', () => {
      localStorage.setItem(MUTE_KEY, mute.checked ? '1' : '0');
      this.assertive.dataset.sound = mute.checked ? 'muted' : 'on';
    });
    this.assertive.dataset.sound = mute.checked ? 'muted' : 'on';
  }

  /** Browsers start audio only after a user gesture: called from the sign-in click. */
  unlock(): void {
    try {
      this.audio ??= new AudioContext();
      void this.audio.resume();
    } catch {
      this.audio = null; // no audio device: the visual cue and the live region remain
    }
  }

  /** Returns whether it was announced (false: silenced or not worth it). */
  announce(alert: AlertView, who: string, silence: Silence | undefined, tile: HTMLElement | null): boolean {
    if (!announced(alert, silence, Date.now())) return false;
    const text = `${alert.severity.toUpperCase()} alert — ${who}: ${alert.reason}`;
    if (alert.severity !== 'high') {
      this.polite.textContent = text;
      return true;
    }
    this.assertive.textContent = text;
    this.assertive.dataset.alertId = alert.alertId;
    this.assertive.dataset.sound = this.mute.checked ? 'muted' : this.beep() ? 'played' : 'unavailable';
    if (tile) {
      tile.classList.remove('flash');
      void tile.offsetWidth; // restart the animation
      tile.classList.add('flash');
    }
    return true;
  }

  clear(alertId: string): void {
    if (this.assertive.dataset.alertId !== alertId) return;
    this.assertive.textContent = '';
    delete this.assertive.dataset.alertId;
  }

  private beep(): boolean {
    const ctx = this.audio;
    if (!ctx) return false;
    const t = ctx.currentTime;
    // IEC 60601-1-8 high priority is a burst of ten pulses; three short ones here.
    for (let i = 0; i < 3; i++) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, t + i * 0.25);
      gain.gain.setValueAtTime(0, t + i * 0.25 + 0.15);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + i * 0.25);
      osc.stop(t + i * 0.25 + 0.16);
    }
    return true;
  }
}
