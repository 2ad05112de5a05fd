import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { enableProcessMetrics } from '@vigil/infra';

/**
 * deploy/grafana/vigil-dashboard.json queries only metrics the code registers (prom-client
 * `new Counter|Gauge|Histogram({ name })` in apps/ and libs/, or prom-client's default process
 * metrics), with labels those metrics have (or that Prometheus adds when it scrapes a pod).
 */
const root = join(__dirname, '..', '..');
const SCRAPE_LABELS = new Set(['pod', 'namespace', 'instance', 'job', 'le']);
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** metric name -> its label names, from the code. */
function metricsInCode(): Map<string, Set<string>> {
  const metrics = new Map<string, Set<string>>();
  const code = [...sources(join(root, 'apps')), ...sources(join(root, 'libs'))]
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  for (const m of code.matchAll(/new (?:Counter|Gauge|Histogram|Summary)\(\{([\s\S]*?)\}\)/g)) {
    const name = /name: '([a-z_:]+)'/.exec(m[1])?.[1];
    if (!name) continue;
    const labels = /labelNames: \[([^\]]*)\]/.exec(m[1])?.[1] ?? '';
    metrics.set(name, new Set([...labels.matchAll(/'([a-z_]+)'/g)].map((l) => l[1])));
  }
  return metrics;
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(join(root, 'deploy', 'grafana', 'vigil-dashboard.json'), 'utf8'),
  ) as { panels: { title: string; targets: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));

  afterAll(() => register.clear());

  it('has the panels issue 10 asks for', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const word of [
      'throughput',
      'lag',
      'dead letters by reason',
      'scoring latency',
      'alerts by severity',
      'websocket clients',
    ])
      expect(titles).toContain(word);
  });

  it('queries only metrics and labels that exist', async () => {
    const known = metricsInCode();
    enableProcessMetrics('test');
    for (const m of await register.getMetricsAsJSON())
      if (!known.has(m.name)) known.set(m.name, new Set(['app']));
    expect(known.get('vigil_scorer_alert_events_total')).toContain('severity');

    const problems: string[] = [];
    for (const { panel, expr } of exprs) {
      // Every series Vigil exports starts vigil_; prom-client's defaults start process_ or nodejs_.
      const names = [...expr.matchAll(/\b((?:vigil|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]);
      expect(names.length).toBeGreaterThan(0);
      for (const series of names) {
        const base = known.has(series) ? series : series.replace(HISTOGRAM_SERIES, '');
        const labels = known.get(base);
        if (!labels) {
          problems.push(`${panel}: ${series} is not registered anywhere`);
          continue;
        }
        const used = [
          ...[...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim())),
          ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
            [...m[1].matchAll(/([a-z_]+)=/g)].map((l) => l[1]),
          ),
        ];
        for (const label of used)
          if (!labels.has(label) && !SCRAPE_LABELS.has(label) && label !== 'app')
            problems.push(`${panel}: ${base} has no label ${label}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
