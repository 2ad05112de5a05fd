import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '@vigil/contracts';
import { type PayloadFormat } from '@vigil/ingestion';

/** Get-or-create: several app instances in one process (tests) share prom-client's registry. */
function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * Gauges read at scrape time from whoever holds the state (the MQTT sessions, the Kafka writer).
 * Module-level, because several app instances in one process (tests) share prom-client's registry.
 */
const observers = new Set<() => void>();
const refresh = () => observers.forEach((o) => o());

/** Ingest's Prometheus metrics (GET /metrics). */
@Injectable()
export class IngestMetrics {
  readonly messages = metric(
    'vigil_ingest_messages_total',
    () =>
      new Counter({
        name: 'vigil_ingest_messages_total',
        help: 'MQTT messages handled, by payload format',
        labelNames: ['format'] as const,
      }),
  );
  readonly samples = metric(
    'vigil_ingest_samples_total',
    () => new Counter({ name: 'vigil_ingest_samples_total', help: 'Samples produced to vitals.samples' }),
  );
  readonly deadLetters = metric(
    'vigil_ingest_deadletters_total',
    () =>
      new Counter({
        name: 'vigil_ingest_deadletters_total',
        help: 'Refused payloads or samples produced to vitals.deadletter, by reason',
        labelNames: ['reason'] as const,
      }),
  );
  readonly redelivered = metric(
    'vigil_ingest_redelivered_total',
    () =>
      new Counter({
        name: 'vigil_ingest_redelivered_total',
        help: 'Messages the broker delivered again (an earlier delivery was not acknowledged)',
      }),
  );
  readonly redeliveredRefusals = metric(
    'vigil_ingest_redelivered_refusals_total',
    () =>
      new Counter({
        name: 'vigil_ingest_redelivered_refusals_total',
        help: 'Redelivered messages refused whole whose dead letter was already written (not written again)',
      }),
  );
  readonly kafkaRetries = metric(
    'vigil_ingest_kafka_retries_total',
    () =>
      new Counter({
        name: 'vigil_ingest_kafka_retries_total',
        help: 'Kafka requests retried after a failure (nothing is acknowledged meanwhile)',
      }),
  );
  readonly redisRetries = metric(
    'vigil_ingest_redis_retries_total',
    () =>
      new Counter({
        name: 'vigil_ingest_redis_retries_total',
        help: 'Registry or duplicate lookups retried after a Redis failure (the message stays unacknowledged)',
      }),
  );
  readonly inFlight = metric(
    'vigil_ingest_in_flight_messages',
    () =>
      new Gauge({
        name: 'vigil_ingest_in_flight_messages',
        help: 'Messages received and not yet acknowledged',
      }),
  );
  readonly dropped = metric(
    'vigil_ingest_dropped_total',
    () =>
      new Counter({
        name: 'vigil_ingest_dropped_total',
        help: 'Messages ingest received and lost: neither in Kafka nor left unacknowledged for redelivery (only QoS 0 can be; stays 0)',
      }),
  );
  readonly resubscribed = metric(
    'vigil_ingest_mqtt_resubscribed_total',
    () =>
      new Counter({
        name: 'vigil_ingest_mqtt_resubscribed_total',
        help: 'Times an MQTT connection subscribed again after losing the broker; a broker that restarted without its shared subscriptions (Mosquitto 2.0) dropped what devices published in between with PUBACK 0x10, for devices to re-send',
      }),
  );
  readonly backlog = metric(
    'vigil_ingest_backlog_messages',
    () =>
      new Gauge({
        name: 'vigil_ingest_backlog_messages',
        help: 'Messages read from the socket and waiting for a free slot (at most one socket read per connection)',
        collect: refresh,
      }),
  );
  readonly pausedConnections = metric(
    'vigil_ingest_paused_connections',
    () =>
      new Gauge({
        name: 'vigil_ingest_paused_connections',
        help: 'MQTT connections ingest has stopped reading from (back-pressure: the broker holds the rest)',
        collect: refresh,
      }),
  );
  readonly saturatedSeconds = metric(
    'vigil_ingest_saturated_seconds',
    () =>
      new Gauge({
        name: 'vigil_ingest_saturated_seconds',
        help: 'How long every connection has held Receive Maximum messages without a break (0: keeping up)',
        collect: refresh,
      }),
  );
  readonly kafkaUnackedSeconds = metric(
    'vigil_ingest_kafka_unacknowledged_seconds',
    () =>
      new Gauge({
        name: 'vigil_ingest_kafka_unacknowledged_seconds',
        help: 'Age of the oldest record waiting for its Kafka acknowledgement (0: none waiting)',
        collect: refresh,
      }),
  );
  readonly ackLatency = metric(
    'vigil_ingest_ack_seconds',
    () =>
      new Histogram({
        name: 'vigil_ingest_ack_seconds',
        help: 'From MQTT receipt to acknowledgement (after the Kafka ack)',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      }),
  );

  constructor() {
    // Every reason is exported from the start (at 0), so dashboards and alerts see the whole set.
    for (const reason of DEAD_LETTER_REASONS) this.deadLetters.labels({ reason }).inc(0);
    this.dropped.inc(0);
  }

  /** Registers a refresh of gauges, run before each scrape; returns its removal. */
  observe(observer: () => void): () => void {
    observers.add(observer);
    return () => observers.delete(observer);
  }

  countFormat(format: PayloadFormat): void {
    this.messages.inc({ format });
  }

  countDeadLetter(reason: DeadLetterReason): void {
    this.deadLetters.inc({ reason });
  }
}
