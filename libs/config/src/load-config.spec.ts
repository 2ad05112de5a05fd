import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

describe(loadConfig.name, () => {
  it('gives typed defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.windowSeconds).toBe(60);
    expect(config.mqttUsername).toBeUndefined();
    expect(config.logFormat).toBe('text');
  });

  it('parses values from the environment', () => {
    const config = loadConfig({
      VIGIL_KAFKA_BROKERS: 'a:1, b:2',
      VIGIL_WINDOW_SECONDS: '30',
      VIGIL_LOG_FORMAT: 'json',
    });
    expect(config.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(config.windowSeconds).toBe(30);
    expect(config.logFormat).toBe('json');
  });

  it('names every bad variable and why', () => {
    let error: unknown;
    try {
      loadConfig({
        VIGIL_WINDOW_SECONDS: 'sixty',
        VIGIL_ALERTS_PORT: '70000',
        VIGIL_KAFKA_BROKERS: 'nohost',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('VIGIL_WINDOW_SECONDS="sixty": expected an integer');
    expect(message).toContain('VIGIL_ALERTS_PORT="70000": must be <= 65535');
    expect(message).toContain('VIGIL_KAFKA_BROKERS="nohost": expected host:port');
  });

  it('rejects a hysteresis that can never fire', () => {
    expect(() => loadConfig({ VIGIL_ALERT_CONFIRM: '5', VIGIL_ALERT_CONFIRM_OF: '4' })).toThrow(
      /VIGIL_ALERT_CONFIRM=.*must be <= VIGIL_ALERT_CONFIRM_OF/,
    );
  });
});
