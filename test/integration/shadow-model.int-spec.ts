import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AlertEvent,
  TOPICS,
  type TopicName,
  type VitalSample,
  type WindowScore,
} from '@vigil/contracts';
import { KafkaConnection, physicalTopic, repoRoot } from '@vigil/infra';
import { ScorerModule } from '@vigil/scorer';
import {
  deleteTopics,
  readTopic,
  type RunningApp,
  startApp,
  testKafka,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';

/**
 * A shadow model beside the live one (VIGIL_SHADOW_MODEL_DIR). The live scorer runs the rules only;
 * the shadow is the shipped model with its alert level set near zero, so it finds every window
 * abnormal and raises model-alone alerts on a patient whose vitals are normal. Those go to
 * alerts.shadow; alerts.events carries only what the live rules raised (a desaturation of another
 * patient); /metrics has both models' alert rates and their agreement.
 */
describe('shadow model (real Kafka, Redis)', () => {
  const id = uniqueId('it-shadow');
  const shadowDir = mkdtempSync(join(tmpdir(), 'vigil-shadow-model-'));
  const settings = testSettings(id, {
    VIGIL_MODEL_DIR: 'none',
    VIGIL_SHADOW_MODEL_DIR: shadowDir,
    VIGIL_METRICS_TOKEN: `scrape-${id}`,
  });
  const calm = `${id}-calm`;
  const desat = `${id}-desat`;
  // Yesterday from 10:00 UTC: inside the day, whenever the spec runs (night edges learn no normal).
  const now = new Date();
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 10);
  const SECONDS = 2400; // past the 30-minute warm-up of the heart rate's normal, after which the model runs
  let scorer: RunningApp | undefined;

  const sample = (patientId: string, s: number, spo2: number): VitalSample => ({
    v: 1,
    patientId,
    deviceId: `${patientId}-dev`,
    ts: day + s * 1000,
    seq: s,
    receivedAt: Date.now(),
    hr: 74 + (s % 3),
    spo2,
    rr: 15,
    temp: 36.8,
    sbp: 121,
    dbp: 78,
  });

  /** Every record of a topic: reads until it has as many as the topic holds. */
  const readAll = async <T>(topic: TopicName): Promise<T[]> => {
    const admin = testKafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(physicalTopic(settings.topicPrefix, topic));
    await admin.disconnect();
    const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    return readTopic<T>(settings, topic, (records) => records.length >= total);
  };

  beforeAll(() => {
    const source = join(repoRoot(), 'models', 'default');
    for (const f of readdirSync(source)) copyFileSync(join(source, f), join(shadowDir, f));
    const meta = JSON.parse(readFileSync(join(shadowDir, 'metadata.json'), 'utf8')) as {
      name: string;
      thresholds: { alert: number };
    };
    meta.name = 'trigger-happy';
    meta.thresholds.alert = 1e-9;
    writeFileSync(join(shadowDir, 'metadata.json'), JSON.stringify(meta));
  });

  afterAll(async () => {
    await scorer?.app.close();
    await deleteTopics(settings);
    rmSync(shadowDir, { recursive: true, force: true });
  }, 60_000);

  it('writes the shadow’s would-be alerts to alerts.shadow only, and exposes both models’ alert rates', async () => {
    scorer = await startApp(ScorerModule.forRoot(settings));
    const kafka = scorer.app.get(KafkaConnection);
    for (let from = 0; from < SECONDS; from += 600) {
      const records = [];
      for (let s = from; s < from + 600; s++) {
        records.push({ key: calm, value: sample(calm, s, 97) });
        records.push({ key: desat, value: sample(desat, s, s >= 2100 && s < 2250 ? 85 : 97) });
      }
      await kafka.send(TOPICS.samples, records);
    }
    // Every batch done: both patients' last windows are on vitals.scores, and the outputs of a
    // batch are in Kafka before its scores are.
    const last = day + (SECONDS - 1) * 1000;
    await readTopic<WindowScore>(settings, TOPICS.scores, (all) =>
      [calm, desat].every((p) => all.some((x) => x.patientId === p && x.at >= last - 5000)),
    );

    const live = await readAll<AlertEvent>(TOPICS.alerts);
    const shadow = await readAll<AlertEvent>(TOPICS.shadowAlerts);
    // Live: the rules' desaturation alert, nothing for the calm patient, no model evidence anywhere.
    expect(live.filter((a) => a.state === 'raised').map((a) => [a.patientId, a.kind])).toEqual([
      [desat, 'clinical'],
    ]);
    expect(live.flatMap((a) => a.evidence).filter((e) => e.source === 'model')).toEqual([]);
    // Shadow: the model alone alerts on the calm patient (would-be alerts, never delivered).
    const shadowCalm = shadow.filter((a) => a.patientId === calm && a.state === 'raised');
    expect(shadowCalm.length).toBeGreaterThan(0);
    expect(shadowCalm.every((a) => a.evidence.some((e) => e.source === 'model'))).toBe(true);

    const metrics = await waitFor('model alert rates in /metrics', async () => {
      const text = await (
        await fetch(`${scorer!.url}/metrics`, {
          headers: { authorization: `Bearer ${settings.metricsToken as string}` },
        })
      ).text();
      return text.includes('vigil_scorer_model_alerts_per_patient_day{model="shadow"') ? text : undefined;
    });
    const value = (line: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.split(' ')[1],
      );
    const livePerDay = value('vigil_scorer_model_alerts_per_patient_day{model="live",severity="all"}');
    const shadowPerDay = value('vigil_scorer_model_alerts_per_patient_day{model="shadow",severity="all"}');
    expect(livePerDay).toBeGreaterThan(0);
    expect(shadowPerDay).toBeGreaterThan(livePerDay);
    expect(metrics).toMatch(/^vigil_scorer_shadow_compared_alerts\{outcome="shadow-only"\} [1-9]/m);
  }, 120_000);
});
