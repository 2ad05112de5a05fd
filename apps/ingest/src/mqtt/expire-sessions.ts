import { connectAsync } from 'mqtt';
import { type Settings } from '@vigil/config';
import { mqttTlsOptions, type MqttTlsSettings } from './mqtt-tls';

/**
 * Ends the persistent MQTT sessions of an ingest instance (reconnecting each with a clean session
 * that expires at once), so the broker stops queueing for an instance that will not come back.
 */
export async function expireIngestSessions(
  settings: Pick<
    Settings,
    'mqttUrl' | 'mqttUsername' | 'mqttPassword' | 'ingestInstance' | 'ingestMqttConnections'
  > &
    MqttTlsSettings,
): Promise<void> {
  const tls = mqttTlsOptions(settings);
  for (let i = 0; i < settings.ingestMqttConnections; i++) {
    const client = await connectAsync(settings.mqttUrl, {
      protocolVersion: 5,
      clientId: `${settings.ingestInstance}-${i}`,
      username: settings.mqttUsername,
      password: settings.mqttPassword,
      clean: true,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 0 },
      ...tls,
    });
    await client.endAsync();
  }
}
