import { type TopicName, TOPIC_SPECS, type TopicSpec } from '@vigil/contracts';

/** The broker-side name of a topic: tests and tenants isolate themselves with a prefix. */
export const physicalTopic = (prefix: string, topic: TopicName): string => `${prefix}${topic}`;

/** Consumer group ids are prefixed the same way. */
export const consumerGroup = (prefix: string, group: string): string => `${prefix}${group}`;

export function topicSpecs(prefix: string): (TopicSpec & { physicalName: string })[] {
  return TOPIC_SPECS.map((spec) => ({ ...spec, physicalName: physicalTopic(prefix, spec.name) }));
}
