/** A dependency an app reports on at GET /health (Kafka, Redis, MQTT…). */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<boolean> | boolean;
}

/** DI token for the list of indicators an app registers. */
export const HEALTH_INDICATORS = Symbol('vigil.health-indicators');
