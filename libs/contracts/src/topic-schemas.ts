import { type z } from 'zod';
import { alertAuditSchema } from './alert-audit';
import { alertEventSchema } from './alert-event';
import { deadLetterSchema } from './dead-letter';
import { patientLimitsChangeSchema } from './patient-limits';
import { registryEventSchema } from './registry-event';
import { type TopicName, type TopicPayloads } from './topics';
import { vitalSampleSchema } from './vital-sample';
import { webhookDeadLetterSchema } from './webhook-dead-letter';
import { windowScoreSchema } from './window-score';

/**
 * The runtime schema of each topic's payload, checked against the TypeScript type it stands for
 * (`z.ZodType<TopicPayloads[K]>`: a schema that accepts a record the type would not is a compile
 * error). Consumers validate every record with it before handing it to a service.
 */
export const TOPIC_SCHEMAS: { readonly [K in TopicName]: z.ZodType<TopicPayloads[K]> } = {
  'vitals.samples': vitalSampleSchema,
  'vitals.deadletter': deadLetterSchema,
  'vitals.scores': windowScoreSchema,
  'alerts.events': alertEventSchema,
  'alerts.shadow': alertEventSchema,
  'alerts.audit': alertAuditSchema,
  'registry.changes': registryEventSchema,
  'patients.limits': patientLimitsChangeSchema,
  'alerts.webhook.deadletter': webhookDeadLetterSchema,
};
