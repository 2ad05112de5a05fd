import { loadConfig } from '@vigil/config';
import { kafkaSecurity, topicReplication, topicsToCreate } from './kafka-client';

const pem = (key: string, path: string) => `-----BEGIN ${key}----- ${path}`;

describe(kafkaSecurity.name, () => {
  it('is plaintext without SASL by default (the local stack)', () => {
    expect(kafkaSecurity(loadConfig({}), pem)).toEqual({});
  });

  it('turns TLS on with the system CAs when no file is named', () => {
    expect(kafkaSecurity(loadConfig({ VIGIL_KAFKA_TLS: 'true' }), pem)).toEqual({ ssl: true });
  });

  it('passes the CA, client certificate and key as PEM text, verifying the brokers', () => {
    const config = loadConfig({
      VIGIL_KAFKA_TLS: 'true',
      VIGIL_KAFKA_TLS_CA_FILE: '/ca.crt',
      VIGIL_KAFKA_TLS_CERT_FILE: '/user.crt',
      VIGIL_KAFKA_TLS_KEY_FILE: '/user.key',
    });
    expect(kafkaSecurity(config, pem)).toEqual({
      ssl: {
        rejectUnauthorized: true,
        ca: ['-----BEGIN kafkaTlsCaFile----- /ca.crt'],
        cert: '-----BEGIN kafkaTlsCertFile----- /user.crt',
        key: '-----BEGIN kafkaTlsKeyFile----- /user.key',
      },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'maps SASL %s with its credentials',
    (mechanism) => {
      const config = loadConfig({
        VIGIL_KAFKA_TLS: 'true',
        VIGIL_KAFKA_SASL_MECHANISM: mechanism,
        VIGIL_KAFKA_SASL_USERNAME: 'vigil',
        VIGIL_KAFKA_SASL_PASSWORD: 'pw',
      });
      expect(kafkaSecurity(config, pem)).toEqual({
        ssl: true,
        sasl: { mechanism, username: 'vigil', password: 'pw' },
      });
    },
  );
});

describe(topicsToCreate.name, () => {
  it('creates the missing topics with the configured replicas and min.insync.replicas', () => {
    const replication = topicReplication(
      loadConfig({ VIGIL_KAFKA_REPLICATION_FACTOR: '3', VIGIL_KAFKA_MIN_INSYNC_REPLICAS: '2' }),
    );
    const topics = topicsToCreate('t.', new Set(['t.vitals.deadletter']), replication);
    expect(topics.map((t) => t.topic)).toContain('t.vitals.samples');
    expect(topics.map((t) => t.topic)).not.toContain('t.vitals.deadletter');
    for (const t of topics) {
      expect(t.replicationFactor).toBe(3);
      expect(t.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    }
    const samples = topics.find((t) => t.topic === 't.vitals.samples');
    expect(samples?.configEntries).toContainEqual({ name: 'retention.ms', value: String(7 * 24 * 3600_000) });
  });
});
