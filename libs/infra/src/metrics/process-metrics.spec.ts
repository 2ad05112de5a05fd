import { register } from 'prom-client';
import { enableProcessMetrics } from './process-metrics';

describe(enableProcessMetrics.name, () => {
  afterAll(() => register.clear());

  it('registers the default process metrics once, labelled with the app', async () => {
    enableProcessMetrics('scorer');
    enableProcessMetrics('scorer'); // no "already registered" error
    const text = await register.metrics();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toContain(`# TYPE ${name}`);
    expect(text).toMatch(/process_resident_memory_bytes\{app="scorer"\} \d+/);
  });
});
