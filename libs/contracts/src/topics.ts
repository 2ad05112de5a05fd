import type { AlertAudit } from './alert-audit';
import type { AlertEvent } from './alert-event';
import type { DeadLetter } from './dead-letter';
import type { PatientLimitsChange } from './patient-limits';
import type { RegistryEvent } from './registry-event';
import type { VitalSample } from './vital-sample';
import type { WebhookDeadLetter } from './webhook-dead-letter';
import type { WindowScore } from './window-score';

/** Kafka topics and the payload each carries; producers and consumers share this map. */
export interface TopicPayloads {
  'vitals.samples': VitalSample;
  'vitals.deadletter': DeadLetter;
  'vitals.scores': WindowScore;
  'alerts.events': AlertEvent;
  /** A shadow model's would-be alerts: for comparing models, never delivered to clinicians. */
  'alerts.shadow': AlertEvent;
  'alerts.audit': AlertAudit;
  'registry.changes': RegistryEvent;
  'patients.limits': PatientLimitsChange;
  'alerts.webhook.deadletter': WebhookDeadLetter;
}
export type TopicName = keyof TopicPayloads;

export const TOPICS = {
  samples: 'vitals.samples',
  deadLetter: 'vitals.deadletter',
  scores: 'vitals.scores',
  alerts: 'alerts.events',
  shadowAlerts: 'alerts.shadow',
  audit: 'alerts.audit',
  registryChanges: 'registry.changes',
  patientLimits: 'patients.limits',
  webhookDeadLetter: 'alerts.webhook.deadletter',
} as const satisfies Record<string, TopicName>;

export interface TopicSpec {
  readonly name: TopicName;
  readonly partitions: number;
  readonly config?: Readonly<Record<string, string>>;
}

/** Partition counts bound how many consumers share the work: 12 scorer instances for samples. */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPICS.samples, partitions: 12, config: { 'retention.ms': String(7 * 24 * 3600_000) } },
  { name: TOPICS.deadLetter, partitions: 3, config: { 'retention.ms': String(30 * 24 * 3600_000) } },
  { name: TOPICS.scores, partitions: 12 },
  { name: TOPICS.alerts, partitions: 6, config: { 'retention.ms': String(365 * 24 * 3600_000) } },
  // A shadow model's would-be alerts: read by `vigil models compare`-style reviews, kept 90 days.
  { name: TOPICS.shadowAlerts, partitions: 6, config: { 'retention.ms': String(90 * 24 * 3600_000) } },
  // Who acknowledged and resolved what, when: kept like the alerts themselves.
  { name: TOPICS.audit, partitions: 6, config: { 'retention.ms': String(365 * 24 * 3600_000) } },
  // The registry's record of changes: one partition (total order for a rebuild), kept forever.
  { name: TOPICS.registryChanges, partitions: 1, config: { 'retention.ms': '-1' } },
  // Care teams' per-patient limits, with who set them and why: one partition, kept forever.
  { name: TOPICS.patientLimits, partitions: 1, config: { 'retention.ms': '-1' } },
  // Webhook notifications the hospital's receiver never took (kept for a re-send).
  { name: TOPICS.webhookDeadLetter, partitions: 3, config: { 'retention.ms': String(30 * 24 * 3600_000) } },
];

/** MQTT topic a device publishes on. `+` matches one device id in subscriptions. */
export const TELEMETRY_TOPIC_PATTERN = 'vigil/v1/devices/+/telemetry';
export const telemetryTopic = (deviceId: string): string => `vigil/v1/devices/${deviceId}/telemetry`;

/** The device id in a telemetry topic, or null when the topic is not one. */
export function deviceIdFromTopic(topic: string): string | null {
  const m = /^vigil\/v1\/devices\/([A-Za-z0-9._-]{1,64})\/telemetry$/.exec(topic);
  return m ? m[1] : null;
}
