import { svgChart } from '@vigil/evaluation';
import type { StepResult } from './e2e-bench';

/** Throughput, CPU per process, alert latency and its hops (p99) against the number of devices, one panel each. */
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
    {
      title: 'Where the alert latency goes: p99 per hop',
      xLabel: 'devices',
      yLabel: 'ms',
      series: [
        line('sample → alert event in Kafka', (r) => r.hops.toAlertEventMs.p99),
        line('alert event → WebSocket', (r) => r.hops.alertEventToSocketMs.p99),
        line('every sample: MQTT → Kafka ack (≤)', (r) => r.hops.ingestAckMsAtMost.p99),
        line('every sample: ingest → scored (≤)', (r) => r.hops.ingestToScoredMsAtMost.p99),
      ],
    },
  ]);
}
