import { createHash } from 'node:crypto';

/**
 * Which refused payloads this instance recently dead-lettered, so a copy the broker or the device
 * delivers again (MQTT DUP: the first delivery's acknowledgement was lost, say on a reconnect
 * under load) is not dead-lettered a second time. Samples need no such memory: their seq catches a
 * resend. A payload is recognised by a SHA-256 digest with its device; only a delivery marked as
 * redelivered is ever matched, so a device that really sends the same broken payload twice gets
 * two dead letters. Bounded: the `capacity` newest payloads, oldest forgotten first.
 */
export class RefusedPayloads {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 50_000) {}

  static key(deviceId: string | null, payload: Buffer): string {
    return createHash('sha256')
      .update(deviceId ?? '')
      .update('\0')
      .update(payload)
      .digest('base64');
  }

  /** Whether a redelivered payload was dead-lettered already (a fresh delivery never is). */
  isRepeat(key: string, redelivered: boolean): boolean {
    return redelivered && this.seen.has(key);
  }

  remember(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** Its dead letters did not reach Kafka: the redelivery must be dead-lettered again. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}
