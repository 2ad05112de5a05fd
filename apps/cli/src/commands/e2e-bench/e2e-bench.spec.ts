import { metricSum, parseProcStat } from './app-processes';
import { alertFingerprint } from './clinician-client';
import { e2eChart } from './e2e-chart';
import { type StepResult } from './e2e-bench';
import { percentile } from './percentile';

describe('e2e bench helpers', () => {
  it('takes nearest-rank percentiles, null when there is nothing', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('reads utime + stime from a /proc stat line whose command holds spaces and parentheses', () => {
    const line = '1234 (node (main) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 5 0 0';
    expect(parseProcStat(line)).toBeCloseTo(3, 6);
  });

  it('sums a metric over its labels and not over metrics that share its prefix', () => {
    const text = [
      '# HELP vigil_ingest_samples_total x',
      'vigil_ingest_samples_total 120',
      'vigil_ingest_samples_total_extra 5',
      'vigil_ingest_deadletters_total{reason="duplicate"} 3',
      'vigil_ingest_deadletters_total{reason="malformed_json"} 2',
    ].join('\n');
    expect(metricSum(text, 'vigil_ingest_samples_total')).toBe(120);
    expect(metricSum(text, 'vigil_ingest_deadletters_total')).toBe(5);
    expect(metricSum(text, 'vigil_ingest_deadletters_total', /duplicate/)).toBe(3);
    expect(metricSum(text, 'absent')).toBe(0);
  });

  it('fingerprints an alert change by id, status, severity and time', () => {
    const a = { alertId: 'a1', status: 'open', severity: 'high', updatedAt: 5 } as Parameters<
      typeof alertFingerprint
    >[0];
    expect(alertFingerprint(a)).toBe('a1|open|high|5');
  });

  it('draws one SVG with a panel for throughput, CPU, latency and its hops', () => {
    const step: StepResult = {
      devices: 10,
      offeredPerSecond: 50,
      ingestedPerSecond: 50,
      scoredPerSecond: 49,
      lagStart: 0,
      lagEnd: 3,
      cpu: { ingest: 0.1, scorer: 0.2 },
      alertsDelivered: 2,
      latencyMs: { p50: 100, p95: 150, p99: null, max: 160 },
      hops: {
        toAlertEventMs: { p50: 80, p95: 120, p99: 130 },
        alertEventToSocketMs: { p50: 20, p95: 30, p99: 30 },
        ingestAckMsAtMost: { p50: 10, p99: 50 },
        ingestToScoredMsAtMost: { p50: 100, p99: null },
      },
      published: 500,
      inKafka: 500,
      deadLetters: 0,
      deadLetterReasons: {},
      scored: 500,
      drainSeconds: 1,
      lost: 0,
      wallSeconds: 12,
    };
    const svg = e2eChart([step, { ...step, devices: 20 }]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('CPU per process');
    expect(svg).toContain('scorer');
    expect(svg).toContain('alert event → WebSocket');
  });
});
