import { type AlertView, SEVERITIES, type Severity, type Silence } from '@vigil/contracts';

/** Why a silence request was refused: a value, translated to a WS error at the edge. */
export type SilenceRefusal = 'no-reason' | 'bad-duration' | 'nothing-to-silence';

export interface SilenceRequest {
  readonly patientId: string;
  readonly minutes: number;
  readonly reason: string;
  readonly by: string;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/** The highest severity among alerts (null for none). */
export function highestSeverity(alerts: readonly Pick<AlertView, 'severity'>[]): Severity | null {
  let best: Severity | null = null;
  for (const a of alerts) if (best === null || rank(a.severity) > rank(best)) best = a.severity;
  return best;
}

/**
 * Decides a silence: a reason is required, the time-box is 1..maxMinutes, and it covers the
 * patient's alerts up to the highest severity open now (nothing open: nothing to silence), so a
 * higher one later is still announced.
 */
export function decideSilence(
  request: SilenceRequest,
  openAlerts: readonly AlertView[],
  now: number,
  maxMinutes: number,
): { ok: true; silence: Silence } | { ok: false; refused: SilenceRefusal; message: string } {
  const reason = request.reason.trim();
  if (reason === '') return { ok: false, refused: 'no-reason', message: 'a silence needs a reason' };
  if (!Number.isInteger(request.minutes) || request.minutes < 1 || request.minutes > maxMinutes)
    return {
      ok: false,
      refused: 'bad-duration',
      message: `silence for 1 to ${maxMinutes} whole minutes`,
    };
  const severity = highestSeverity(
    openAlerts.filter((a) => a.patientId === request.patientId && a.status !== 'resolved'),
  );
  if (severity === null)
    return { ok: false, refused: 'nothing-to-silence', message: 'the patient has no open alert to silence' };
  return {
    ok: true,
    silence: {
      patientId: request.patientId,
      by: request.by,
      reason: reason.slice(0, 200),
      severity,
      from: now,
      until: now + request.minutes * 60_000,
    },
  };
}

/** A silence is in force from `from` until `until` (it ends by itself). */
export function silenceActive(silence: Silence | undefined | null, now: number): silence is Silence {
  return silence !== undefined && silence !== null && now >= silence.from && now < silence.until;
}

/**
 * Is this alert announced (sound, flash) despite the patient's silence? Yes unless a silence is in
 * force and the alert is no more severe than what was silenced: a silence never hides a higher one.
 * Technical and clinical alerts alike; resolved and acknowledged alerts are never announced.
 */
export function announced(alert: AlertView, silence: Silence | undefined | null, now: number): boolean {
  if (alert.status === 'resolved' || alert.status === 'acknowledged') return false;
  if (!silenceActive(silence, now) || silence.patientId !== alert.patientId) return true;
  return rank(alert.severity) > rank(silence.severity);
}
