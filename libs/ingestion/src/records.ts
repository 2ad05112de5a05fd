import { type DeadLetter, type DeadLetterReason, type VitalSample } from '@vigil/contracts';
import { type AcceptedSample } from './sample-validation';

/** Dead letters keep at most this many characters of the payload (the byte size is kept in full). */
export const DEAD_LETTER_PAYLOAD_CHARS = 4096;

export interface Receipt {
  readonly mqttTopic: string;
  readonly deviceId: string | null;
  readonly receivedAt: number;
}

/** The record a refused payload becomes on `vitals.deadletter`. */
export function toDeadLetter(
  receipt: Receipt,
  reason: DeadLetterReason,
  message: string,
  payload: Uint8Array | string,
  maxChars = DEAD_LETTER_PAYLOAD_CHARS,
): DeadLetter {
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const truncated = text.length > maxChars;
  return {
    v: 1,
    reason,
    message,
    deviceId: receipt.deviceId,
    mqttTopic: receipt.mqttTopic,
    payload: truncated ? text.slice(0, maxChars) : text,
    payloadBytes: bytes,
    payloadTruncatedAt: truncated ? maxChars : null,
    receivedAt: receipt.receivedAt,
  };
}

/** The record an accepted sample becomes on `vitals.samples` (keyed by `patientId`). */
export function toVitalSample(
  sample: AcceptedSample,
  deviceId: string,
  patientId: string,
  receivedAt: number,
): VitalSample {
  return { v: 1, patientId, deviceId, ts: sample.ts, seq: sample.seq, receivedAt, ...sample.values };
}
