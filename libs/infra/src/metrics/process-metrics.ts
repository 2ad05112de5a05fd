import { collectDefaultMetrics, register } from 'prom-client';

/**
 * prom-client's default metrics on the default registry (process CPU, resident memory, open file
 * descriptors, event-loop lag, heap and GC), labelled with the app's name. Once per process: a
 * second call (tests start several apps in one process) is a no-op.
 */
export function enableProcessMetrics(app: string): void {
  if (register.getSingleMetric('process_cpu_seconds_total')) return;
  collectDefaultMetrics({ labels: { app } });
}
