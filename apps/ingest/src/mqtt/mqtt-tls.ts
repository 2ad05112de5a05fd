import { type Settings } from '@vigil/config';
import { readPemFile } from '@vigil/infra';

/** What a TLS connection to the broker presents and trusts (PEM text). */
export interface MqttTlsOptions {
  /** The CA that signed the broker's certificate; absent: the system CAs. */
  readonly ca?: string;
  /** Client certificate and its key, for a broker that asks for one (`require_certificate true`). */
  readonly cert?: string;
  readonly key?: string;
}

export type MqttTlsSettings = Pick<Settings, 'mqttTlsCaFile' | 'mqttTlsCertFile' | 'mqttTlsKeyFile'>;

/**
 * The TLS options of VIGIL_MQTT_TLS_*_FILE (read once). Used with an mqtts:// URL by ingest's
 * subscriber, the session expiry, the simulator and the ingest bench; the loader refuses them with
 * an mqtt:// URL, and a certificate without its key.
 */
export function mqttTlsOptions(
  settings: MqttTlsSettings,
  readPem: typeof readPemFile = readPemFile,
): MqttTlsOptions {
  return {
    ...(settings.mqttTlsCaFile ? { ca: readPem('mqttTlsCaFile', settings.mqttTlsCaFile) } : {}),
    ...(settings.mqttTlsCertFile ? { cert: readPem('mqttTlsCertFile', settings.mqttTlsCertFile) } : {}),
    ...(settings.mqttTlsKeyFile ? { key: readPem('mqttTlsKeyFile', settings.mqttTlsKeyFile) } : {}),
  };
}
