import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

/** The settings a real cluster needs (issue 10): bind host, Kafka TLS/SASL/replication, MQTT TLS, Redis Sentinel. */
describe('cluster settings', () => {
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return '';
  };

  it('default to one local node: 127.0.0.1, plaintext, no SASL, one replica, one Redis', () => {
    const config = loadConfig({});
    expect(config.httpHost).toBe('127.0.0.1');
    expect(config.kafkaTls).toBe(false);
    expect(config.kafkaSaslMechanism).toBe('none');
    expect(config.kafkaReplicationFactor).toBe(1);
    expect(config.kafkaMinInsyncReplicas).toBe(1);
    expect(config.mqttTlsCaFile).toBeUndefined();
    expect(config.redisSentinels).toEqual([]);
  });

  it('parse a production combination', () => {
    const config = loadConfig({
      VIGIL_HTTP_HOST: '0.0.0.0',
      VIGIL_KAFKA_TLS: 'true',
      VIGIL_KAFKA_TLS_CA_FILE: '/etc/vigil/kafka/ca.crt',
      VIGIL_KAFKA_TLS_CERT_FILE: '/etc/vigil/kafka/user.crt',
      VIGIL_KAFKA_TLS_KEY_FILE: '/etc/vigil/kafka/user.key',
      VIGIL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      VIGIL_KAFKA_SASL_USERNAME: 'vigil',
      VIGIL_KAFKA_SASL_PASSWORD: 's3cret',
      VIGIL_KAFKA_REPLICATION_FACTOR: '3',
      VIGIL_KAFKA_MIN_INSYNC_REPLICAS: '2',
      VIGIL_MQTT_URL: 'mqtts://broker.example.org:8883',
      VIGIL_MQTT_TLS_CA_FILE: '/etc/vigil/mqtt/ca.crt',
      VIGIL_MQTT_TLS_CERT_FILE: '/etc/vigil/mqtt/ingest.crt',
      VIGIL_MQTT_TLS_KEY_FILE: '/etc/vigil/mqtt/ingest.key',
      VIGIL_REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1:26379',
      VIGIL_REDIS_SENTINEL_NAME: 'vigil',
    });
    expect(config).toMatchObject({
      httpHost: '0.0.0.0',
      kafkaTls: true,
      kafkaSaslMechanism: 'scram-sha-512',
      kafkaReplicationFactor: 3,
      kafkaMinInsyncReplicas: 2,
      mqttTlsKeyFile: '/etc/vigil/mqtt/ingest.key',
      redisSentinels: ['sentinel-0:26379', 'sentinel-1:26379'],
      redisSentinelName: 'vigil',
    });
  });

  it('accept IPv6 bind addresses and refuse a URL as a host', () => {
    expect(loadConfig({ VIGIL_HTTP_HOST: '::' }).httpHost).toBe('::');
    expect(problemsOf({ VIGIL_HTTP_HOST: 'http://0.0.0.0' })).toContain('VIGIL_HTTP_HOST');
  });

  it('refuse more in-sync replicas than replicas', () => {
    expect(problemsOf({ VIGIL_KAFKA_REPLICATION_FACTOR: '2', VIGIL_KAFKA_MIN_INSYNC_REPLICAS: '3' })).toMatch(
      /VIGIL_KAFKA_MIN_INSYNC_REPLICAS="3": must be <= VIGIL_KAFKA_REPLICATION_FACTOR \(2\)/,
    );
  });

  it('refuse Kafka certificate files without TLS, and a certificate without its key', () => {
    expect(problemsOf({ VIGIL_KAFKA_TLS_CA_FILE: '/ca.crt' })).toContain(
      'VIGIL_KAFKA_TLS_CA_FILE="/ca.crt": needs VIGIL_KAFKA_TLS=true',
    );
    expect(problemsOf({ VIGIL_KAFKA_TLS: 'true', VIGIL_KAFKA_TLS_CERT_FILE: '/c.crt' })).toContain(
      'VIGIL_KAFKA_TLS_KEY_FILE="": is required with VIGIL_KAFKA_TLS_CERT_FILE',
    );
    expect(problemsOf({ VIGIL_KAFKA_TLS: 'maybe' })).toContain(
      'VIGIL_KAFKA_TLS="maybe": expected true or false',
    );
  });

  it('want credentials with a SASL mechanism, TLS under plain, and never echo the password', () => {
    expect(problemsOf({ VIGIL_KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toMatch(
      /VIGIL_KAFKA_SASL_USERNAME="": is required by VIGIL_KAFKA_SASL_MECHANISM=scram-sha-256[\s\S]*VIGIL_KAFKA_SASL_PASSWORD/,
    );
    expect(
      problemsOf({
        VIGIL_KAFKA_SASL_MECHANISM: 'plain',
        VIGIL_KAFKA_SASL_USERNAME: 'u',
        VIGIL_KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toContain('plain sends the password unencrypted: set VIGIL_KAFKA_TLS=true');
    const message = problemsOf({ VIGIL_KAFKA_SASL_PASSWORD: 'hunter2' });
    expect(message).toContain(
      'VIGIL_KAFKA_SASL_PASSWORD="(hidden)": is unused while VIGIL_KAFKA_SASL_MECHANISM=none',
    );
    expect(message).not.toContain('hunter2');
    expect(problemsOf({ VIGIL_KAFKA_SASL_MECHANISM: 'gssapi' })).toContain('expected one of none, plain');
  });

  it('refuse MQTT certificates on a plaintext broker URL, and a key without its certificate', () => {
    expect(problemsOf({ VIGIL_MQTT_TLS_CA_FILE: '/ca.crt' })).toContain(
      'VIGIL_MQTT_TLS_CA_FILE="/ca.crt": needs TLS: VIGIL_MQTT_URL must be mqtts:// (or wss://), not mqtt://',
    );
    expect(problemsOf({ VIGIL_MQTT_URL: 'mqtts://b:8883', VIGIL_MQTT_TLS_KEY_FILE: '/k.key' })).toContain(
      'VIGIL_MQTT_TLS_CERT_FILE="": is required with VIGIL_MQTT_TLS_KEY_FILE',
    );
  });

  it('check the sentinel addresses and name', () => {
    expect(problemsOf({ VIGIL_REDIS_SENTINELS: 'sentinel-0' })).toContain(
      'VIGIL_REDIS_SENTINELS="sentinel-0": expected host:port',
    );
    expect(
      problemsOf({ VIGIL_REDIS_SENTINELS: 's:26379', VIGIL_REDIS_SENTINEL_NAME: 'my master' }),
    ).toContain('VIGIL_REDIS_SENTINEL_NAME');
    expect(problemsOf({ VIGIL_REDIS_SENTINEL_PASSWORD: 'x' })).toContain(
      'is unused without VIGIL_REDIS_SENTINELS',
    );
  });
});
