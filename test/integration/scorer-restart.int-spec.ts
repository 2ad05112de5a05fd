import { type AlertEvent, TOPICS, type VitalSample, type WindowScore } from '@vigil/contracts';
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

  it('keeps each patient’s learned normal across a restart (Redis checkpoint), without re-reading history', async () => {
    // No warm-up re-read: only the checkpoint can carry the normal over.
    const noReplay = testSettings(id, { VIGIL_MODEL_DIR: 'none', VIGIL_SCORER_WARMUP_SECONDS: '0' });
    const other = `${id}-pat2`;
    // Yesterday from 10:00 UTC: well inside the day (the ward clock's night edges learn nothing), whenever the spec runs.
    const now = new Date();
    const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 10);
    const low = (s: number): VitalSample => ({
      ...sample(s, 93),
      patientId: other,
      deviceId: `${id}-dev2`,
      ts: day + s * 1000,
    });
    const send = (app: RunningApp, from: number, to: number) =>
      app.app.get(KafkaConnection).send(
        TOPICS.samples,
        Array.from({ length: to - from }, (_, i) => ({ key: other, value: low(from + i) })),
      );
    const scoresUntil = (done: (mine: WindowScore[]) => boolean) =>
      readTopic<WindowScore>(noReplay, TOPICS.scores, (all) =>
        done(all.filter((x) => x.patientId === other)),
      ).then((all) => all.filter((x) => x.patientId === other));
    const lastAt = (t: number) => day + (t - 1) * 1000;

    // 40 minutes of a patient whose SpO2 sits at 93 %: past the 30-minute warm-up, their usual is 93.
    let app: RunningApp | null = await startApp(ScorerModule.forRoot(noReplay));
    try {
      await send(app, 0, 2400);
      const learned = (await scoresUntil((mine) => mine.some((x) => x.at >= lastAt(2400) - 5000)))
        .sort((a, b) => a.at - b.at)
        .at(-1) as WindowScore;
      expect(learned.usual.spo2).toBeLessThan(94);
      await app.app.close(); // writes the last checkpoint
      app = null;
      app = await startApp(ScorerModule.forRoot(noReplay));
      await send(app, 2400, 2460);
      const after = (await scoresUntil((mine) => mine.some((x) => x.at >= lastAt(2460) - 5000)))
        .filter((x) => x.at > learned.at)
        .sort((a, b) => a.at - b.at);
      expect(after.length).toBeGreaterThan(0);
      expect(after[0].usual.spo2).toBeCloseTo(learned.usual.spo2 as number, 0);
    } finally {
      await app?.app.close();
    }
  }, 120_000);
});
