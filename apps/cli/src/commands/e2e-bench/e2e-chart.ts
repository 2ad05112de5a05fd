import { svgChart } from '@vigil/evaluation';
import type { StepResult } from './e2e-bench';

/** Throughput, CPU per process and alert latency against the number of devices, one panel each. */
export function e2eChart(results: readonly StepResult[]): string {
  const x = (r: StepResult) => r.devices;
  const processes = Object.keys(results[0]?.cpu ?? {});
  const line = (name: string, y: (r: StepResult) => number | null) => ({
    name,
    kind: 'line' as const,
    points: results.map((r) => [x(r), y(r) ?? Number.NaN] as const),
  });
  return svgChart([
    {
      title: 'Samples per second (sustained, measured window of each step)',
      xLabel: 'devices',
      yLabel: 'samples/s',
      series: [
        line('offered', (r) => r.offeredPerSecond),
        line('into Kafka', (r) => r.ingestedPerSecond),
        line('scored', (r) => r.scoredPerSecond),
      ],
    },
    {
      title: 'CPU per process',
      xLabel: 'devices',
      yLabel: 'cores',
      series: processes.map((p) => line(p, (r) => r.cpu[p])),
    },
    {
      title: 'Alert delivery latency (sample completing the window → WebSocket)',
      xLabel: 'devices',
      yLabel: 'ms',
      series: [
        line('p50', (r) => r.latencyMs.p50),
        line('p95', (r) => r.latencyMs.p95),
        line('p99', (r) => r.latencyMs.p99),
      ],
    },
  ]);
}
