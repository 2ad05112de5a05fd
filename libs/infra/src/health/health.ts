/** What a dependency check found: up or not, and for people, why not (or what it measured). */
export interface HealthStatus {
  readonly up: boolean;
  readonly detail?: string;
}

/** A dependency an app reports on at GET /health/ready (Kafka, Redis, MQTT, consumer lag…). */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<boolean | HealthStatus> | boolean | HealthStatus;
}

/** DI token for the list of indicators an app registers. */
export const HEALTH_INDICATORS = Symbol('vigil.health-indicators');

/** The body of GET /health/ready: every check by name, what is down, and why. */
export interface Readiness {
  readonly status: 'ok' | 'error';
  readonly checks: Record<string, 'up' | 'down'>;
  /** Names of the checks that are down (empty when ready). */
  readonly down: string[];
  readonly details: Record<string, string>;
}

/** Pure: one readiness verdict from each indicator's result (a thrown check counts as down). */
export function readiness(
  results: readonly (readonly [string, boolean | HealthStatus | Error])[],
): Readiness {
  const checks: Record<string, 'up' | 'down'> = {};
  const details: Record<string, string> = {};
  const down: string[] = [];
  for (const [name, result] of results) {
    const status: HealthStatus =
      result instanceof Error
        ? { up: false, detail: result.message }
        : typeof result === 'boolean'
          ? { up: result }
          : result;
    checks[name] = status.up ? 'up' : 'down';
    if (!status.up) down.push(name);
    if (status.detail !== undefined) details[name] = status.detail;
  }
  return { status: down.length === 0 ? 'ok' : 'error', checks, down, details };
}
