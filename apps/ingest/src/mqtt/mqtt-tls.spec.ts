import { ConfigError, loadConfig } from '@vigil/config';
import { readPemFile } from '@vigil/infra';
import { mqttTlsOptions } from './mqtt-tls';

describe(mqttTlsOptions.name, () => {
  const pem = (key: string, path: string) => `-----BEGIN ${key}----- ${path}`;

  it('is empty without certificate files (system CAs, no client certificate)', () => {
    expect(mqttTlsOptions(loadConfig({ VIGIL_MQTT_URL: 'mqtts://b:8883' }), pem)).toEqual({});
  });

  it('passes the CA, certificate and key files as PEM text', () => {
    const config = loadConfig({
      VIGIL_MQTT_URL: 'mqtts://b:8883',
      VIGIL_MQTT_TLS_CA_FILE: '/ca.crt',
      VIGIL_MQTT_TLS_CERT_FILE: '/c.crt',
      VIGIL_MQTT_TLS_KEY_FILE: '/c.key',
    });
    expect(mqttTlsOptions(config, pem)).toEqual({
      ca: '-----BEGIN mqttTlsCaFile----- /ca.crt',
      cert: '-----BEGIN mqttTlsCertFile----- /c.crt',
      key: '-----BEGIN mqttTlsKeyFile----- /c.key',
    });
  });

  it('names the setting whose file cannot be read', () => {
    expect(() => readPemFile('mqttTlsCaFile', '/nonexistent/ca.crt')).toThrow(ConfigError);
    expect(() => readPemFile('mqttTlsCaFile', '/nonexistent/ca.crt')).toThrow(
      /VIGIL_MQTT_TLS_CA_FILE="\/nonexistent\/ca.crt": cannot read the file \(ENOENT\)/,
    );
  });
});
