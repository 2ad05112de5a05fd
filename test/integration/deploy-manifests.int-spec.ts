import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig, SETTINGS } from '@vigil/config';
import { TOPIC_SPECS, TOPICS } from '@vigil/contracts';

/**
 * deploy/k8s without a cluster: every document valid against the Kubernetes schemas (the
 * `kubernetes-models` package, run by deploy/k8s/validate.mjs), and consistent with the code: the
 * settings each pod gets load, probes hit the apps' real endpoints, selectors match.
 */
const root = join(__dirname, '..', '..');
const dir = join(root, 'deploy', 'k8s');
/** The parts of the Kubernetes objects this spec reads (the schemas check the rest). */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: object; secretKeyRef?: { key: string } };
}
interface Container {
  args: string[];
  ports: { name: string; containerPort: number }[];
  envFrom?: { configMapRef: { name: string } }[];
  env?: EnvVar[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
}
interface Doc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    selector: Record<string, string> & { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
    scaleTargetRef: { name: string };
    maxReplicas: number;
    metrics: {
      external: { metric: { name: string; selector: { matchLabels: Record<string, string> } } };
    }[];
  };
}
const docs: Doc[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Doc))
  .filter(Boolean);
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')];
const APPS = { ingest: 'ingestPort', scorer: 'scorerPort', alerts: 'alertsPort' } as const;

function validate(files: string[]): { documents: unknown[]; errors: { problem: string }[] } {
  const run = spawnSync(process.execPath, [join(dir, 'validate.mjs'), '--json', ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(run.stdout) as { documents: unknown[]; errors: { problem: string }[] };
}

/** The environment a pod's container sees: ConfigMap, then env (secrets and pod fields faked). */
function podEnv(workload: Doc): Record<string, string> {
  const container = workload.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const map = byKind('ConfigMap').find((c) => c.metadata.name === from.configMapRef.name);
    expect(map).toBeDefined();
    Object.assign(env, map?.data);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined)
      env[e.name] = String(e.value).replace(/\$\(([A-Z_]+)\)/g, (_m, v: string) => env[v] ?? '');
    else if (e.valueFrom?.fieldRef) env[e.name] = `${workload.metadata.name}-0`;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = `secret-${e.valueFrom.secretKeyRef.key}`;
  }
  return env;
}

describe('deploy/k8s manifests', () => {
  it('are valid against the Kubernetes schemas', () => {
    const result = validate([]);
    expect(result.errors).toEqual([]);
    expect(result.documents.length).toBeGreaterThanOrEqual(15);
  });

  it('the validator refuses a broken manifest (so the check above means something)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vigil-k8s-'));
    try {
      const broken = join(tmp, 'broken.yaml');
      writeFileSync(
        broken,
        readFileSync(join(dir, 'scorer.yaml'), 'utf8').replace('replicas: 3', 'replicas: three'),
      );
      const result = validate([broken]);
      expect(result.errors.map((e) => e.problem).join('\n')).toContain('spec/replicas must be integer');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('run the three apps, each with a PodDisruptionBudget and a Service selecting its pods', () => {
    for (const app of Object.keys(APPS)) {
      const workload = workloads.find((w) => w.metadata.name === `vigil-${app}`);
      expect(workload?.spec.template.spec.containers[0].args).toEqual([`dist/apps/${app}/src/main.js`]);
      const labels = workload?.spec.template.metadata.labels ?? {};
      const selects = (selector: Record<string, string>) =>
        Object.entries(selector).every(([k, v]) => labels[k] === v);
      expect(selects(workload?.spec.selector.matchLabels ?? { missing: 'workload' })).toBe(true);
      expect(byKind('PodDisruptionBudget').some((p) => selects(p.spec.selector.matchLabels))).toBe(true);
      expect(byKind('Service').some((s) => selects(s.spec.selector))).toBe(true);
    }
  });

  it('give every pod settings the config loader accepts, listening on all interfaces', () => {
    const known = new Set(Object.values(SETTINGS).map((s) => s.env));
    for (const workload of workloads) {
      const env = podEnv(workload);
      for (const name of Object.keys(env).filter((n) => n.startsWith('VIGIL_')))
        expect(known).toContain(name);
      const settings = loadConfig(env);
      expect(settings.httpHost).toBe('0.0.0.0');
      expect(settings.kafkaReplicationFactor).toBeGreaterThanOrEqual(3);
    }
  });

  it('probe the real health endpoints on the port the app listens on', () => {
    const health = readFileSync(join(root, 'libs', 'infra', 'src', 'health', 'health.controller.ts'), 'utf8');
    expect(health).toMatch(/@Controller\('health'\)[\s\S]*@Get\('live'\)[\s\S]*@Get\('ready'\)/);
    for (const [app, portKey] of Object.entries(APPS)) {
      const workload = workloads.find((w) => w.metadata.name === `vigil-${app}`) as Doc;
      const container = workload.spec.template.spec.containers[0];
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      const port = container.ports.find((p) => p.name === container.readinessProbe.httpGet.port);
      expect(port?.containerPort).toBe(loadConfig(podEnv(workload))[portKey]);
    }
  });

  it('scale the scorer on the consumer lag the code exports, never beyond the partitions', () => {
    const hpa = byKind('HorizontalPodAutoscaler').find(
      (h) => h.spec.scaleTargetRef.name === 'vigil-scorer',
    ) as Doc;
    const external = hpa.spec.metrics[0].external;
    expect(external.metric.name).toBe('vigil_consumer_lag');
    const lagSource = readFileSync(join(root, 'libs', 'infra', 'src', 'kafka', 'consumer-lag.ts'), 'utf8');
    expect(lagSource).toContain(`name: '${external.metric.name}'`);
    const scorerConstants = readFileSync(join(root, 'apps', 'scorer', 'src', 'scorer.constants.ts'), 'utf8');
    expect(scorerConstants).toContain(`SCORER_GROUP = '${external.metric.selector.matchLabels.group}'`);
    expect(hpa.spec.maxReplicas).toBe(TOPIC_SPECS.find((t) => t.name === TOPICS.samples)?.partitions);
  });
});
