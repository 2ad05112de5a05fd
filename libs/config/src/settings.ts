import { z } from 'zod';

/**
 * Every environment variable Vigil reads, in one table: the loader, `vigil config` and the README's
 * configuration table all come from here. Values are strings in the environment; each setting's
 * schema turns one into its typed value or says what is wrong.
 */
export interface Setting<T> {
  readonly env: string;
  readonly default: string | undefined;
  readonly description: string;
  readonly parse: z.ZodType<T, string>;
}

const setting = <T>(
  env: string,
  defaultValue: string | undefined,
  parse: z.ZodType<T, string>,
  description: string,
): Setting<T> => ({ env, default: defaultValue, parse, description });

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`));
const num = (min: number, max: number) =>
  z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), 'expected a number')
    .transform(Number)
    .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`));
const port = int(0, 65535);
const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port'))
      .min(1, 'expected at least one host:port'),
  );
const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    `expected a URL (${protocols.join(' or ')})`,
  );
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });
const origins = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine((s) => {
        try {
          return new URL(s).origin === s;
        } catch {
          return false;
        }
      }, 'expected origins like https://ward.example.org (scheme://host[:port], no path)'),
    ),
  );
const optionalText = z.string().transform((s) => (s === '' ? undefined : s));
const bool = z
  .string()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s.toLowerCase()), 'expected true or false')
  .transform((s) => ['true', '1', 'yes'].includes(s.toLowerCase()));
/** A comma-separated host:port list that may be empty (the setting is off). */
const optionalList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')));
const host = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:]+)$/,
    'expected a host name or IP address (0.0.0.0: every interface)',
  );

/** "120:oncall,300:charge-nurse": seconds after the alert opened, and who is called then. */
const escalationChain = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]+$/, 'expected seconds:target steps like 120:oncall,300:charge-nurse')
        .transform((step) => {
          const [after, target] = step.split(':');
          return { afterSeconds: Number(after), target };
        }),
    ),
  )
  .refine(
    (steps) => steps.every((step, i) => i === 0 || step.afterSeconds > steps[i - 1].afterSeconds),
    'steps must come later and later (seconds increasing)',
  );

export const SETTINGS = {
  logLevel: setting(
    'VIGIL_LOG_LEVEL',
    'log',
    oneOf(['error', 'warn', 'log', 'debug', 'verbose']),
    'Lowest log level printed',
  ),
  logFormat: setting(
    'VIGIL_LOG_FORMAT',
    'text',
    oneOf(['text', 'json']),
    'text for people, json (one object a line) for log shippers',
  ),

  kafkaBrokers: setting(
    'VIGIL_KAFKA_BROKERS',
    '127.0.0.1:9092',
    list,
    'Kafka bootstrap brokers, comma-separated host:port',
  ),
  kafkaClientId: setting('VIGIL_KAFKA_CLIENT_ID', 'vigil', z.string().min(1), 'Prefix of Kafka client ids'),
  newGroupsFrom: setting(
    'VIGIL_NEW_GROUPS_FROM',
    'latest',
    oneOf(['latest', 'earliest']),
    'Where a consumer group that has never committed starts (scorer, alerts): latest skips retained history',
  ),
  kafkaTls: setting(
    'VIGIL_KAFKA_TLS',
    'false',
    bool,
    'Connect to Kafka over TLS; the brokers are verified against VIGIL_KAFKA_TLS_CA_FILE, or the system CAs without one',
  ),
  kafkaTlsCaFile: setting(
    'VIGIL_KAFKA_TLS_CA_FILE',
    '',
    optionalText,
    "PEM file of the CA that signed the brokers' certificates (needs VIGIL_KAFKA_TLS=true)",
  ),
  kafkaTlsCertFile: setting(
    'VIGIL_KAFKA_TLS_CERT_FILE',
    '',
    optionalText,
    'PEM client certificate for mutual TLS (with VIGIL_KAFKA_TLS_KEY_FILE)',
  ),
  kafkaTlsKeyFile: setting(
    'VIGIL_KAFKA_TLS_KEY_FILE',
    '',
    optionalText,
    'PEM private key of VIGIL_KAFKA_TLS_CERT_FILE',
  ),
  kafkaSaslMechanism: setting(
    'VIGIL_KAFKA_SASL_MECHANISM',
    'none',
    oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512']),
    'SASL authentication to Kafka (plain wants VIGIL_KAFKA_TLS=true: it sends the password as is)',
  ),
  kafkaSaslUsername: setting('VIGIL_KAFKA_SASL_USERNAME', '', optionalText, 'SASL user name'),
  kafkaSaslPassword: setting('VIGIL_KAFKA_SASL_PASSWORD', '', optionalText, 'SASL password'),
  kafkaReplicationFactor: setting(
    'VIGIL_KAFKA_REPLICATION_FACTOR',
    '1',
    int(1, 32),
    'Replicas of each topic Vigil creates (3 on a production cluster; existing topics are left as they are)',
  ),
  kafkaMinInsyncReplicas: setting(
    'VIGIL_KAFKA_MIN_INSYNC_REPLICAS',
    '1',
    int(1, 32),
    'min.insync.replicas of the topics Vigil creates: an acks=all write needs this many replicas (2 with 3 replicas)',
  ),
  topicPrefix: setting(
    'VIGIL_TOPIC_PREFIX',
    '',
    z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only'),
    'Prefix for every Kafka topic and group (isolates tests and tenants)',
  ),

  mqttUrl: setting(
    'VIGIL_MQTT_URL',
    'mqtt://127.0.0.1:1885',
    url(['mqtt:', 'mqtts:', 'ws:', 'wss:']),
    "MQTT broker the devices publish to (1885: the local stack's Vigil-configured Mosquitto, not the machine's on 1883)",
  ),
  mqttUsername: setting('VIGIL_MQTT_USERNAME', '', optionalText, 'MQTT user of the ingest service'),
  mqttPassword: setting('VIGIL_MQTT_PASSWORD', '', optionalText, 'MQTT password of the ingest service'),
  mqttTlsCaFile: setting(
    'VIGIL_MQTT_TLS_CA_FILE',
    '',
    optionalText,
    "PEM file of the CA that signed the MQTT broker's certificate (mqtts: URLs; without it, the system CAs)",
  ),
  mqttTlsCertFile: setting(
    'VIGIL_MQTT_TLS_CERT_FILE',
    '',
    optionalText,
    'PEM client certificate ingest (and the simulator) present to the broker (mqtts: URLs, with VIGIL_MQTT_TLS_KEY_FILE)',
  ),
  mqttTlsKeyFile: setting(
    'VIGIL_MQTT_TLS_KEY_FILE',
    '',
    optionalText,
    'PEM private key of VIGIL_MQTT_TLS_CERT_FILE',
  ),
  mqttShareGroup: setting(
    'VIGIL_MQTT_SHARE_GROUP',
    'vigil-ingest',
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ - only'),
    'MQTT 5 shared-subscription group: ingest instances split the devices',
  ),

  redisUrl: setting(
    'VIGIL_REDIS_URL',
    'redis://127.0.0.1:6379',
    url(['redis:', 'rediss:']),
    'Redis for derived state (with sentinels: its user, password, database and rediss: for TLS; the host is ignored)',
  ),
  redisSentinels: setting(
    'VIGIL_REDIS_SENTINELS',
    '',
    optionalList,
    'Redis Sentinel addresses, comma-separated host:port: Vigil asks them for the current master (empty: VIGIL_REDIS_URL directly)',
  ),
  redisSentinelName: setting(
    'VIGIL_REDIS_SENTINEL_NAME',
    'mymaster',
    z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only'),
    'Name of the master the sentinels monitor',
  ),
  redisSentinelPassword: setting(
    'VIGIL_REDIS_SENTINEL_PASSWORD',
    '',
    optionalText,
    'Password of the sentinels themselves (when they require one)',
  ),

  httpHost: setting(
    'VIGIL_HTTP_HOST',
    '127.0.0.1',
    host,
    'Address the HTTP servers of ingest, scorer and alerts listen on (0.0.0.0 in a container or pod)',
  ),

  ingestPort: setting(
    'VIGIL_INGEST_PORT',
    '3001',
    port,
    'HTTP port of ingest (health, metrics, registry API)',
  ),
  ingestMaxPayloadBytes: setting(
    'VIGIL_INGEST_MAX_PAYLOAD_BYTES',
    '262144',
    int(256, 16 * 1024 * 1024),
    'Larger MQTT payloads are dead-lettered',
  ),
  ingestMaxPastMs: setting(
    'VIGIL_INGEST_MAX_PAST_MS',
    String(7 * 24 * 3600_000),
    int(0, 365 * 24 * 3600_000),
    'Samples older than this are dead-lettered',
  ),
  ingestMaxFutureMs: setting(
    'VIGIL_INGEST_MAX_FUTURE_MS',
    '300000',
    int(0, 24 * 3600_000),
    'Samples further ahead of the clock than this are dead-lettered',
  ),
  ingestMaxBatchSamples: setting(
    'VIGIL_INGEST_MAX_BATCH_SAMPLES',
    '600',
    int(1, 10000),
    'A batch payload with more samples is dead-lettered (batch_too_large)',
  ),
  ingestInstance: setting(
    'VIGIL_INGEST_INSTANCE',
    'ingest-1',
    z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ - only (at most 40)'),
    'Stable name of this ingest instance: its MQTT sessions persist under it, so a restart receives what it had not acknowledged',
  ),
  ingestMqttConnections: setting(
    'VIGIL_INGEST_MQTT_CONNECTIONS',
    '1',
    int(1, 64),
    'MQTT connections per ingest instance in the shared subscription (per-device order holds within one connection)',
  ),
  ingestReceiveMaximum: setting(
    'VIGIL_INGEST_RECEIVE_MAXIMUM',
    '1000',
    int(1, 65535),
    'MQTT 5 Receive Maximum: unacknowledged messages the broker may send one ingest connection (the bound on work in flight)',
  ),
  ingestMqttSessionExpirySeconds: setting(
    'VIGIL_INGEST_MQTT_SESSION_EXPIRY_SECONDS',
    '3600',
    int(0, 7 * 86400),
    "How long the broker keeps an absent ingest connection's unacknowledged messages",
  ),
  ingestLingerMs: setting(
    'VIGIL_INGEST_LINGER_MS',
    '2',
    int(0, 1000),
    'Records waiting for Kafka are sent together after at most this long',
  ),
  ingestMaxBatchRecords: setting(
    'VIGIL_INGEST_MAX_BATCH_RECORDS',
    '2000',
    int(1, 100000),
    'At most this many records in one Kafka request',
  ),
  ingestRatePerDevice: setting(
    'VIGIL_INGEST_RATE_PER_DEVICE',
    '10',
    num(0, 1_000_000),
    'Samples per second one device may send, sustained (token bucket; 0 = no limit); the excess is dead-lettered as rate_limited',
  ),
  ingestRateBurst: setting(
    'VIGIL_INGEST_RATE_BURST',
    '3600',
    int(1, 10_000_000),
    'Samples one device may send at once above its rate (the bucket size: an hour of 1 Hz history a gateway uploads after being offline)',
  ),
  ingestMaxWriteStallMs: setting(
    'VIGIL_INGEST_MAX_WRITE_STALL_MS',
    '5000',
    int(100, 600_000),
    'Ingest is not ready (kafka-writes down) when a Kafka request has waited this long for its acknowledgement',
  ),
  ingestMaxSaturatedMs: setting(
    'VIGIL_INGEST_MAX_SATURATED_MS',
    '10000',
    int(100, 600_000),
    'Ingest is not ready (ingest-capacity down) when every connection has held Receive Maximum messages this long: it is not keeping up',
  ),
  ingestRegistryCacheMs: setting(
    'VIGIL_INGEST_REGISTRY_CACHE_MS',
    '60000',
    int(0, 3600_000),
    'Ingest caches device bindings this long (changes also evict them at once over Redis pub/sub)',
  ),
  ingestDedupeWindow: setting(
    'VIGIL_INGEST_DEDUPE_WINDOW',
    '2048',
    int(0, 1_000_000),
    'Latest sequence numbers remembered per device to drop duplicates (about 90 bytes each in Redis; 0 = no duplicate check)',
  ),
  ingestRecheckSeconds: setting(
    'VIGIL_INGEST_RECHECK_SECONDS',
    '60',
    int(0, 3600),
    'At start, ingest remembers the samples of vitals.samples written in the last this many seconds before taking MQTT messages, so what a killed instance got into Kafka but had not yet recorded is not written twice when redelivered (0 = off)',
  ),
  ingestDedupeTtlSeconds: setting(
    'VIGIL_INGEST_DEDUPE_TTL_SECONDS',
    '86400',
    int(60, 30 * 86400),
    "A silent device's remembered sequence numbers expire after this long",
  ),

  scorerPort: setting('VIGIL_SCORER_PORT', '3002', port, 'HTTP port of the scorer (health, metrics)'),
  windowSeconds: setting(
    'VIGIL_WINDOW_SECONDS',
    '60',
    int(10, 3600),
    'Sliding window length T, in samples at 1 Hz',
  ),
  strideSeconds: setting(
    'VIGIL_STRIDE_SECONDS',
    '5',
    int(1, 600),
    'A window is scored every S seconds of measurement time',
  ),
  alertConfirmWindows: setting(
    'VIGIL_ALERT_CONFIRM',
    '1',
    int(1, 60),
    'Hysteresis: k abnormal windows out of n raise an alert (this is k)',
  ),
  alertConfirmOf: setting('VIGIL_ALERT_CONFIRM_OF', '1', int(1, 60), 'Hysteresis: n, the windows looked at'),
  alertClearWindows: setting(
    'VIGIL_ALERT_CLEAR',
    '12',
    int(1, 600),
    'Normal windows in a row that resolve an alert',
  ),
  alertCooldownSeconds: setting(
    'VIGIL_ALERT_COOLDOWN_SECONDS',
    '600',
    int(0, 86400),
    'After a resolve, the same alert is not raised again for this long',
  ),
  wardUtcOffsetMinutes: setting(
    'VIGIL_WARD_UTC_OFFSET_MINUTES',
    '0',
    int(-720, 840),
    "The ward's offset from UTC in minutes: night (23:00-07:00 local) has a normal of its own",
  ),
  scorerWarmupSeconds: setting(
    'VIGIL_SCORER_WARMUP_SECONDS',
    '600',
    int(0, 86400),
    'On taking over a partition, the scorer re-reads this much of its recent samples to rebuild windows and alert state (no output)',
  ),
  scorerConcurrentPartitions: setting(
    'VIGIL_SCORER_CONCURRENT_PARTITIONS',
    '12',
    int(1, 64),
    'Partitions of vitals.samples the scorer works on at once: their outputs share Kafka requests and one partition’s round trips overlap another’s scoring (12, every partition, measured best on 2 cores; see docs/scaling.md)',
  ),
  scorerMaxLatenessMs: setting(
    'VIGIL_SCORER_MAX_LATENESS_MS',
    '5000',
    int(0, 600_000),
    "How long the scorer holds a sample that arrived after a gap in its device's sequence, waiting for the missing ones (measurement and wall time); 0: no reordering, samples are scored as they come",
  ),
  modelDir: setting(
    'VIGIL_MODEL_DIR',
    'models/default',
    z.string().min(1),
    'Folder of the model the scorer loads, relative to the checkout (none: NEWS2 rules only)',
  ),
  shadowModelDir: setting(
    'VIGIL_SHADOW_MODEL_DIR',
    '',
    optionalText,
    'A second model the scorer runs beside the live one (shadow): its would-be alerts go to alerts.shadow, never to clinicians; both alert rates in /metrics',
  ),

  alertsPort: setting(
    'VIGIL_ALERTS_PORT',
    '3000',
    port,
    'HTTP + WebSocket port of the alerts gateway and dashboard',
  ),
  alertsHeartbeatMs: setting(
    'VIGIL_ALERTS_HEARTBEAT_MS',
    '15000',
    int(1000, 600000),
    'WebSocket ping interval; clients that miss one are dropped',
  ),
  alertsWsMaxPayloadBytes: setting(
    'VIGIL_ALERTS_WS_MAX_PAYLOAD_BYTES',
    '65536',
    int(1024, 16 * 1024 * 1024),
    'Largest WebSocket message a client may send; a larger one closes its socket (1009)',
  ),
  alertsWsMaxBufferedBytes: setting(
    'VIGIL_ALERTS_WS_MAX_BUFFERED_BYTES',
    '4194304',
    int(1024, 1024 * 1024 * 1024),
    'A client that lets more than this wait unsent (it reads too slowly) is dropped (4408); others are unaffected',
  ),
  alertsAllowedOrigins: setting(
    'VIGIL_ALERTS_ALLOWED_ORIGINS',
    '',
    origins,
    'Browser origins (comma-separated) allowed to open the WebSocket besides the dashboard’s own; clients sending no Origin (not browsers) are allowed',
  ),
  alertsInstance: setting(
    'VIGIL_ALERTS_INSTANCE',
    'gw-1',
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ - only'),
    'Name of this alerts gateway; each gateway reads every alert (its own consumer group)',
  ),
  noDataSeconds: setting(
    'VIGIL_NO_DATA_SECONDS',
    '120',
    int(10, 86400),
    'A patient whose device sent nothing scored for this long gets a technical "no data" alert (raised by the alerts gateway)',
  ),
  silenceMaxMinutes: setting(
    'VIGIL_SILENCE_MAX_MINUTES',
    '60',
    int(1, 1440),
    'Longest silence a clinician may set on a patient (it ends by itself)',
  ),
  jwtSecret: setting(
    'VIGIL_JWT_SECRET',
    '',
    optionalText,
    "HS256 secret for clinicians' JWTs (required by the alerts app; `vigil up` makes one per run)",
  ),
  oidcIssuer: setting(
    'VIGIL_OIDC_ISSUER',
    '',
    z
      .string()
      .refine((s) => s === '' || /^https?:\/\//.test(s), 'expected the issuer URL (https://…)')
      .transform((s) => (s === '' ? undefined : s)),
    "The hospital's OpenID Connect issuer (its tokens' iss); set: RS/ES/PS-signed tokens are verified against it",
  ),
  oidcAudience: setting(
    'VIGIL_OIDC_AUDIENCE',
    'vigil',
    z.string().min(1),
    "Audience (aud) the hospital's tokens must name",
  ),
  oidcJwksUrl: setting(
    'VIGIL_OIDC_JWKS_URL',
    '',
    z
      .string()
      .refine((s) => s === '' || /^https?:\/\//.test(s), 'expected a URL (http: or https:)')
      .transform((s) => (s === '' ? undefined : s)),
    "The issuer's signing keys (JWKS); empty: the jwks_uri of its /.well-known/openid-configuration",
  ),
  oidcRolesClaim: setting(
    'VIGIL_OIDC_ROLES_CLAIM',
    'roles',
    z.string().min(1),
    'Claim (dotted path, e.g. realm_access.roles) holding the role or roles; the highest of clinician, oncall, admin counts',
  ),
  oidcTeamsClaim: setting(
    'VIGIL_OIDC_TEAMS_CLAIM',
    'care_teams',
    z.string().min(1),
    'Claim (dotted path) holding the care teams (a list, or one string)',
  ),
  oidcRolePrefix: setting(
    'VIGIL_OIDC_ROLE_PREFIX',
    '',
    z.string(),
    'Prefix of Vigil roles among the provider’s role values (e.g. vigil- for vigil-admin); others are ignored',
  ),
  escalationHigh: setting(
    'VIGIL_ESCALATION_HIGH',
    '120:oncall,300:charge-nurse',
    escalationChain,
    'Escalation chain of a high alert nobody acknowledged: seconds since it opened:who, comma-separated',
  ),
  escalationMedium: setting(
    'VIGIL_ESCALATION_MEDIUM',
    '300:oncall,900:charge-nurse',
    escalationChain,
    'Escalation chain of a medium alert (as VIGIL_ESCALATION_HIGH; empty: never escalated by time)',
  ),
  escalationLow: setting(
    'VIGIL_ESCALATION_LOW',
    '900:oncall',
    escalationChain,
    'Escalation chain of a low alert (as VIGIL_ESCALATION_HIGH)',
  ),
  webhookUrl: setting(
    'VIGIL_WEBHOOK_URL',
    '',
    z
      .string()
      .refine((s) => s === '' || /^https?:\/\//.test(s), 'expected a URL (http: or https:)')
      .transform((s) => (s === '' ? undefined : s)),
    'Receiver (a paging system) POSTed each escalation and new high alert, signed; empty: none',
  ),
  webhookSecret: setting(
    'VIGIL_WEBHOOK_SECRET',
    '',
    optionalText,
    'HMAC-SHA256 key of the X-Vigil-Signature header (required with VIGIL_WEBHOOK_URL)',
  ),
  webhookMaxAttempts: setting(
    'VIGIL_WEBHOOK_MAX_ATTEMPTS',
    '6',
    int(1, 50),
    'Deliveries tried per notification (back-off doubling from VIGIL_WEBHOOK_RETRY_MS) before it goes to alerts.webhook.deadletter',
  ),
  webhookRetryMs: setting(
    'VIGIL_WEBHOOK_RETRY_MS',
    '1000',
    int(1, 600_000),
    'Wait before the first retry of a failed webhook delivery (doubles each time, at most 60 s)',
  ),
  webhookTimeoutMs: setting(
    'VIGIL_WEBHOOK_TIMEOUT_MS',
    '5000',
    int(100, 120_000),
    'A webhook delivery not answered within this long counts as failed',
  ),
  metricsToken: setting(
    'VIGIL_METRICS_TOKEN',
    '',
    optionalText,
    'Bearer token for GET /metrics (a Prometheus scrape credential); an admin JWT works too; neither: /metrics answers 401',
  ),
  shutdownTimeoutMs: setting(
    'VIGIL_SHUTDOWN_TIMEOUT_MS',
    '10000',
    int(100, 120000),
    'Longest a graceful shutdown may take before the process exits',
  ),

  otelExporterOtlpEndpoint: setting(
    'VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT',
    '',
    z
      .string()
      .refine((s) => s === '' || /^https?:\/\/[^/]/.test(s), 'expected a URL (http: or https:)')
      .transform((s) => (s === '' ? undefined : s.replace(/\/+$/, ''))),
    'OpenTelemetry collector (OTLP/HTTP, JSON): traces go to its /v1/traces (e.g. http://127.0.0.1:4318); empty: tracing off',
  ),
  otelSampleRatio: setting(
    'VIGIL_OTEL_SAMPLE_RATIO',
    '1',
    num(0, 1),
    'Share of MQTT messages ingest starts a trace for (0..1); scorer and alerts follow the decision carried in traceparent',
  ),

  healthCheckTimeoutMs: setting(
    'VIGIL_HEALTH_CHECK_TIMEOUT_MS',
    '2000',
    int(50, 60_000),
    'A readiness check (GET /health/ready) that does not answer within this long counts as down',
  ),
  healthMaxConsumerLag: setting(
    'VIGIL_HEALTH_MAX_CONSUMER_LAG',
    '20000',
    int(0, 1_000_000_000),
    'A consumer (scorer) is not ready when its group is more records than this behind (10 s at 2,000 samples/s)',
  ),

  simulateSpeed: setting(
    'VIGIL_SIMULATE_SPEED',
    '1',
    num(0.01, 10000),
    'Simulator time factor: 60 plays one minute of vitals per second',
  ),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type Settings = { readonly [K in SettingKey]: z.output<(typeof SETTINGS)[K]['parse']> };
