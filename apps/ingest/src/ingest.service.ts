import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ROOT_CONTEXT, type Span, SpanKind } from '@opentelemetry/api';
import { type Settings } from '@vigil/config';
import {
  type DeadLetter,
  type DeadLetterReason,
  deviceIdFromTopic,
  TOPICS,
  type VitalSample,
} from '@vigil/contracts';
import { CONFIG, endSpan, type Keyed, pseudonym, startSpan, traceHeaders } from '@vigil/infra';
import {
  type AcceptedSample,
  decodeTelemetry,
  DeviceRateLimiter,
  type PayloadFormat,
  type Receipt,
  RefusedPayloads,
  toDeadLetter,
  toVitalSample,
} from '@vigil/ingestion';
import { DedupeStore } from './dedupe/dedupe.store';
import { IngestMetrics } from './ingest.metrics';
import { RecordWriter } from './kafka/record.writer';
import { type InboundMessage, MqttSubscriber } from './mqtt/mqtt.subscriber';
import { DeviceDirectory } from './registry/device.directory';

/** An MQTT 5 user property by which a device (or a gateway) states whose data it sends. */
export const DEVICE_ID_PROPERTY = 'device-id';

/** What one message becomes: records for Kafka, and the seqs to remember once they are there. */
interface Plan {
  readonly format: PayloadFormat;
  readonly deviceId: string | null;
  readonly samples: Keyed<VitalSample>[];
  readonly deadLetters: Keyed<DeadLetter>[];
  /** A wholly refused payload's identity, remembered until its dead letters are in Kafka. */
  readonly refusedKey?: string;
}

/**
 * The ingest pipeline for one MQTT message: device identity, registry binding, decoding and
 * validation (pure, @vigil/ingestion), duplicates, then Kafka. Resolves only once Kafka
 * acknowledged, which is when the message is acknowledged to the broker. Kafka or Redis trouble is
 * retried with back-off while messages stay unacknowledged (the broker holds the rest).
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private stopping = false;
  /** The last message's hand-over to the writer: the next one waits for it (arrival order). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Samples per second per device (token buckets); the excess is dead-lettered as rate_limited. */
  private readonly limiter: DeviceRateLimiter;
  /** Wholly refused payloads recently dead-lettered: a redelivery of one is not dead-lettered twice. */
  private readonly refused = new RefusedPayloads();

  constructor(
    private readonly mqtt: MqttSubscriber,
    private readonly writer: RecordWriter,
    private readonly directory: DeviceDirectory,
    private readonly dedupe: DedupeStore,
    private readonly metrics: IngestMetrics,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.limiter = new DeviceRateLimiter({
      ratePerSecond: config.ingestRatePerDevice,
      burst: config.ingestRateBurst,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dedupe.recheckRecent();
    await this.mqtt.start((message) => this.handle(message));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.mqtt.stop();
  }

  /**
   * Handles one message; messages are planned concurrently but written to Kafka in arrival order
   * (per-device order holds within a connection). Resolves once Kafka acknowledged.
   */
  handle(message: InboundMessage): Promise<void> {
    const receivedAt = Date.now();
    const started = process.hrtime.bigint();
    this.metrics.inFlight.inc();
    if (message.redelivered) this.metrics.redelivered.inc();
    // One trace per MQTT message (tracing on and sampled): from receipt to Kafka's acknowledgement;
    // its records carry the span's traceparent on to the scorer.
    const span = startSpan('ingest publish', {
      kind: SpanKind.PRODUCER,
      parent: ROOT_CONTEXT,
      attributes: () => ({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': TOPICS.samples,
        'vigil.mqtt.redelivered': message.redelivered,
      }),
    });
    const headers = traceHeaders(span);
    const planned = this.planWithRetry(message, receivedAt).then((plan) => this.withoutRepeat(message, plan));
    const enqueued = this.tail
      .then(() => planned)
      .then((plan) => ({ plan, written: this.writer.write(headers ? withHeaders(plan, headers) : plan) }));
    this.tail = enqueued.catch(() => undefined);
    return enqueued
      .then(async ({ plan, written }) => {
        await written.catch((error: unknown) => {
          if (plan.refusedKey !== undefined) this.refused.forget(plan.refusedKey);
          throw error;
        });
        this.count(plan);
        if (span.isRecording()) describe(span, plan);
        endSpan(span);
      })
      .catch((error: unknown) => {
        endSpan(span, error);
        throw error;
      })
      .finally(() => {
        this.metrics.inFlight.dec();
        this.metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      });
  }

  /**
   * A message that is refused whole (nothing in it reaches vitals.samples) is dead-lettered once:
   * when the broker or the device delivers it again (DUP), its earlier dead letter stands. Counted
   * in vigil_ingest_redelivered_refusals_total; a redelivered message with samples is caught by seq.
   */
  private withoutRepeat(message: InboundMessage, plan: Plan): Plan {
    if (plan.samples.length > 0 || plan.deadLetters.length === 0) return plan;
    const key = RefusedPayloads.key(plan.deviceId, message.payload);
    if (this.refused.isRepeat(key, message.redelivered)) {
      this.metrics.redeliveredRefusals.inc();
      return { ...plan, deadLetters: [] };
    }
    this.refused.remember(key);
    return { ...plan, refusedKey: key };
  }

  /** Redis trouble (registry, duplicates) is retried with back-off while the message waits unacknowledged. */
  private async planWithRetry(message: InboundMessage, receivedAt: number): Promise<Plan> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.plan(message, receivedAt);
      } catch (error) {
        if (this.stopping) throw error;
        this.metrics.redisRetries.inc();
        const wait = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
        this.logger.warn(
          `${message.topic}: ${error instanceof Error ? error.message : String(error)}; retrying in ${wait} ms`,
        );
        await delay(wait);
      }
    }
  }

  private async plan(message: InboundMessage, receivedAt: number): Promise<Plan> {
    const deviceId = deviceIdFromTopic(message.topic);
    const receipt: Receipt = { mqttTopic: message.topic, deviceId, receivedAt };
    const refuse = (reason: DeadLetterReason, text: string): Plan => ({
      format: 'unreadable',
      deviceId,
      samples: [],
      deadLetters: [
        { key: deviceId ?? 'unknown', value: toDeadLetter(receipt, reason, text, message.payload) },
      ],
    });
    if (deviceId === null)
      return refuse(
        'topic_invalid',
        `topic ${message.topic.slice(0, 200)} is not vigil/v1/devices/{deviceId}/telemetry`,
      );

    const claimed = message.userProperties[DEVICE_ID_PROPERTY];
    if (
      claimed !== undefined &&
      (Array.isArray(claimed) ? claimed.some((c) => c !== deviceId) : claimed !== deviceId)
    ) {
      return refuse(
        'identity_mismatch',
        `message says it is from ${String(claimed).slice(0, 64)} but was published as ${deviceId}`,
      );
    }
    const binding = await this.directory.binding(deviceId);
    if (binding.status === 'unknown') return refuse('unknown_device', `device ${deviceId} is not registered`);
    if (binding.status === 'unbound')
      return refuse('device_unbound', `device ${deviceId} is not bound to a patient`);

    const decoded = decodeTelemetry(message.payload, deviceId, {
      now: receivedAt,
      maxPastMs: this.config.ingestMaxPastMs,
      maxFutureMs: this.config.ingestMaxFutureMs,
      maxPayloadBytes: this.config.ingestMaxPayloadBytes,
      maxBatchSamples: this.config.ingestMaxBatchSamples,
    });
    const deadLetters: Keyed<DeadLetter>[] = decoded.refusals.map((r) => ({
      key: deviceId,
      value: toDeadLetter(receipt, r.reason, r.message, r.payload ?? message.payload),
    }));
    // Over the device's rate: the first samples go through, the rest are one rate_limited dead letter
    // (before the duplicate check, so a flood costs Redis nothing).
    const admitted = this.limiter.admit(deviceId, decoded.samples.length, receivedAt);
    const accepted = decoded.samples.slice(0, admitted);
    const limited = decoded.samples.slice(admitted);
    if (limited.length > 0) {
      const whole = admitted === 0 && decoded.refusals.length === 0;
      deadLetters.push({
        key: deviceId,
        value: toDeadLetter(
          receipt,
          'rate_limited',
          `${deviceId} is over its limit of ${this.config.ingestRatePerDevice} samples/s (burst ${this.config.ingestRateBurst}): ${limited.length} sample(s) refused`,
          whole ? message.payload : JSON.stringify({ samples: limited.map(sampleJson) }),
        ),
      });
    }
    const seen = await this.dedupe.claim(deviceId, accepted);
    const fresh: AcceptedSample[] = [];
    accepted.forEach((sample, i) => {
      if (!seen[i]) fresh.push(sample);
      else {
        const payload =
          decoded.samples.length === 1 && decoded.refusals.length === 0
            ? message.payload
            : JSON.stringify(sampleJson(sample));
        deadLetters.push({
          key: deviceId,
          value: toDeadLetter(
            receipt,
            'duplicate',
            `seq ${sample.seq} of ${deviceId} already reached ingest`,
            payload,
          ),
        });
      }
    });
    return {
      format: decoded.format,
      deviceId,
      samples: fresh.map((s) => ({
        key: binding.patientId,
        value: toVitalSample(s, deviceId, binding.patientId, receivedAt),
      })),
      deadLetters,
    };
  }

  private count(plan: Plan): void {
    this.metrics.countFormat(plan.format);
    this.metrics.samples.inc(plan.samples.length);
    for (const d of plan.deadLetters) {
      this.metrics.countDeadLetter(d.value.reason);
      this.logger.debug(`dead letter ${d.value.reason} from ${d.value.deviceId ?? 'unknown'}`);
    }
  }
}

/** The plan's records, each with the message's trace context. */
const withHeaders = (plan: Plan, headers: Record<string, string>): Plan => ({
  ...plan,
  samples: plan.samples.map((s) => ({ ...s, headers })),
  deadLetters: plan.deadLetters.map((d) => ({ ...d, headers })),
});

/** What became of the message, on its span: counts and pseudonyms only (no device or patient id). */
function describe(span: Span, plan: Plan): void {
  span.setAttributes({
    'vigil.payload.format': plan.format,
    'vigil.samples': plan.samples.length,
    'vigil.dead_letters': plan.deadLetters.length,
    'messaging.batch.message_count': plan.samples.length + plan.deadLetters.length,
  });
  if (plan.deviceId !== null) span.setAttribute('vigil.device.ref', pseudonym(plan.deviceId));
  if (plan.samples.length > 0) {
    span.setAttribute('vigil.patient.ref', pseudonym(plan.samples[0].key));
    // The device's sequence numbers (not identifying): which samples a trace started with.
    span.setAttribute('vigil.seq.first', plan.samples[0].value.seq);
    span.setAttribute('vigil.seq.last', plan.samples[plan.samples.length - 1].value.seq);
  }
  if (plan.deadLetters.length > 0)
    span.setAttribute('vigil.dead_letter.reasons', [...new Set(plan.deadLetters.map((d) => d.value.reason))]);
}

/** A sample as the device sent it (telemetry v1), for a dead letter's payload. */
const sampleJson = (sample: AcceptedSample) => ({ ts: sample.ts, seq: sample.seq, ...sample.values });
