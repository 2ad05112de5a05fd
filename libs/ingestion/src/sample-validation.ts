import { type z } from 'zod';
import {
  isVitalKey,
  telemetrySampleSchema,
  type DeadLetterReason,
  type VitalValues,
  VITALS,
} from '@vigil/contracts';

/** A sample that passed validation, in Vigil's units, timestamp as epoch ms. */
export interface AcceptedSample {
  readonly ts: number;
  readonly seq: number;
  readonly values: VitalValues;
}

/** Why one payload (or one sample of a batch) was refused; `payload` null means the whole raw payload. */
export interface Refusal {
  readonly reason: DeadLetterReason;
  readonly message: string;
  readonly payload: string | null;
}

export interface TimeWindow {
  /** The receiving clock, epoch ms. */
  readonly now: number;
  readonly maxPastMs: number;
  readonly maxFutureMs: number;
}

export type SampleCheck =
  | { readonly ok: true; readonly sample: AcceptedSample }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly message: string };

/**
 * Validates one telemetry v1 sample object: shape and types (`schema_violation`), physiological
 * ranges (`implausible_value`), then the timestamp against the clock (`timestamp_out_of_range`).
 */
export function checkSample(candidate: unknown, window: TimeWindow): SampleCheck {
  const parsed = telemetrySampleSchema.safeParse(candidate);
  if (!parsed.success) {
    const { issues } = parsed.error;
    const reason: DeadLetterReason = issues.every(isRangeIssue) ? 'implausible_value' : 'schema_violation';
    return { ok: false, reason, message: describeIssues(issues) };
  }
  const { ts: rawTs, seq } = parsed.data;
  const ts = typeof rawTs === 'number' ? rawTs : Date.parse(rawTs);
  if (!Number.isFinite(ts))
    return { ok: false, reason: 'schema_violation', message: `ts ${String(rawTs)} is not a date` };
  if (ts > window.now + window.maxFutureMs) {
    return {
      ok: false,
      reason: 'timestamp_out_of_range',
      message: `ts is ${ts - window.now} ms ahead of the clock (limit ${window.maxFutureMs} ms)`,
    };
  }
  if (ts < window.now - window.maxPastMs) {
    return {
      ok: false,
      reason: 'timestamp_out_of_range',
      message: `ts is ${window.now - ts} ms in the past (limit ${window.maxPastMs} ms)`,
    };
  }
  const values: Record<string, number> = {};
  for (const vital of VITALS) {
    const v = parsed.data[vital];
    if (v !== undefined) values[vital] = v;
  }
  return { ok: true, sample: { ts, seq, values } };
}

function isRangeIssue(issue: z.core.$ZodIssue): boolean {
  return (
    (issue.code === 'too_small' || issue.code === 'too_big') &&
    issue.path.length === 1 &&
    isVitalKey(issue.path[0])
  );
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], max = 3): string {
  const parts = issues.slice(0, max).map((i) => {
    const where = i.path.length > 0 ? i.path.map(String).join('.') : '';
    return where !== '' && !i.message.startsWith(where) ? `${where}: ${i.message}` : i.message;
  });
  if (issues.length > max) parts.push(`and ${issues.length - max} more`);
  return parts.join('; ');
}
