/**
 * The broker settings every Mosquitto Vigil brings up runs with (the local stack, the tests, the
 * authenticating broker's generated config): queues deep enough that nothing is dropped while
 * Kafka is away for minutes at the rated load, and persistence for QoS 1 sessions. The reasoning
 * behind each figure is in deploy/mosquitto/vigil-broker.conf, which holds the same lines (a unit
 * spec keeps the two equal).
 */
export const BROKER_TUNING: readonly string[] = [
  'max_queued_messages 1000000',
  'max_queued_bytes 1073741824',
  'max_inflight_messages 1000',
  'persistence true',
  'autosave_interval 30',
];

/** The system account Debian's mosquitto package creates; the broker never runs as root. */
export const BROKER_SYSTEM_USER = 'mosquitto';

/**
 * Who the broker runs as: started by root, Mosquitto switches to `user`, so root maps to the
 * `mosquitto` system user (whose files must then be owned by it); anyone else runs it as themselves.
 */
export const brokerUser = (invokingUser: string): string =>
  invokingUser === 'root' ? BROKER_SYSTEM_USER : invokingUser;
