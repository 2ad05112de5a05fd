import { type AlertEvent, TOPICS, type VitalSample } from '@vigil/contracts';
import { KafkaConnection } from '@vigil/infra';
import { ScorerModule } from '@vigil/scorer';
import { deleteTopics, readTopic, type RunningApp, startApp, testSettings, uniqueId } from '@vigil/testing';

/**
 * A scorer restarted in the middle of an episode re-reads its recent samples (warm-up) and carries
 * on: the episode keeps its alert id, so the care team sees one alert, raised once, resolved once.
 */
describe('scorer restart (real Kafka)', () => {
  const id = uniqueId('it-restart');
  const settings = testSettings(id, { VIGIL_MODEL_DIR: 'none' });
  const patientId = `${id}-pat`;
  const t0 = Date.now() - 3_600_000;
  let scorer: RunningApp | undefined;

  const sample = (s: number, spo2: number): VitalSample => ({
    v: 1,
    patientId,
    deviceId: `${id}-dev`,
    ts: t0 + s * 1000,
    seq: s,
    receivedAt: Date.now(),
    hr: 76 + (s % 3),
    spo2,
    rr: 15,
    temp: 36.8,
    sbp: 122,
    dbp: 79,
  });
  const events = (until: (e: AlertEvent[]) => boolean) =>
    readTopic<AlertEvent>(settings, TOPICS.alerts, (all) =>
      until(all.filter((e) => e.patientId === patientId)),
    ).then((all) => all.filter((e) => e.patientId === patientId));

  afterAll(async () => {
    await scorer?.app.close();
    await deleteTopics(settings);
  }, 60_000);

  it('keeps one alert per episode across a restart', async () => {
    scorer = await startApp(ScorerModule.forRoot(settings));
    const send = (from: number, to: number, spo2: number) =>
      (scorer as RunningApp).app.get(KafkaConnection).send(
        TOPICS.samples,
        Array.from({ length: to - from }, (_, i) => ({ key: patientId, value: sample(from + i, spo2) })),
      );

    await send(0, 120, 97);
    await send(120, 240, 86);
    const before = await events((e) => e.some((x) => x.state === 'raised'));
    await scorer.app.close();

    scorer = await startApp(ScorerModule.forRoot(settings));
    await send(240, 360, 86);
    await send(360, 700, 97);
    const after = await events((e) => e.some((x) => x.state === 'resolved'));

    const raised = after.filter((e) => e.state === 'raised');
    expect(raised).toHaveLength(1);
    expect(raised[0].alertId).toBe(before.find((e) => e.state === 'raised')?.alertId);
    expect(after.filter((e) => e.state === 'resolved').map((e) => e.alertId)).toEqual([raised[0].alertId]);
  }, 120_000);
});
