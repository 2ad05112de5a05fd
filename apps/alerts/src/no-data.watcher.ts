import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Counter } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type AlertEvent, type AlertView, TOPICS } from '@vigil/contracts';
import { CONFIG, KafkaConnection } from '@vigil/infra';
import { AlertStore } from './alert.store';
import { PatientHistory } from './patient-history';

const raisedTotal = new Counter({
  name: 'vigil_alerts_no_data_raised_total',
  help: 'Technical "no data" alerts raised for patients whose device went silent',
});

/** Alert ids of "no data" alerts: deterministic (patient, last window), so gateways raise it once. */
export const noDataAlertId = (patientId: string, lastWindowAt: number): string =>
  `${patientId}:no-data:${lastWindowAt}`;
const isNoData = (alertId: string): boolean => alertId.includes(':no-data:');

/**
 * Raises a technical "no data" alert for a patient whose scored windows stopped arriving for
 * VIGIL_NO_DATA_SECONDS (wall clock), and resolves it when data comes back. It lives in the
 * gateway, not the scorer: the scorer runs on measurement time and acts when a sample arrives, so a
 * device that sends nothing gives it nothing to act on; the gateway sees every patient's windows
 * and has a wall clock. The event goes to alerts.events like any detector's (kind technical), so it
 * has the same lifecycle, audit and escalation; gateways share the id, and a Redis claim makes one
 * of them raise it.
 */
@Injectable()
export class NoDataWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NoDataWatcher.name);
  private timer: NodeJS.Timeout | null = null;
  /** Open "no data" alert per patient. */
  private readonly open = new Map<string, string>();

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly history: PatientHistory,
    private readonly kafka: KafkaConnection,
    private readonly store: AlertStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const a of await this.store.listOpen()) this.onAlert(a);
    const every = Math.max(1000, Math.min(5000, (this.config.noDataSeconds * 1000) / 4));
    this.timer = setInterval(() => {
      this.sweep().catch((e: unknown) => this.logger.warn(`no-data sweep failed: ${String(e)}`));
    }, every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Every alert pushed: keeps the map of open "no data" alerts. */
  onAlert(view: AlertView): void {
    if (!isNoData(view.alertId)) return;
    if (view.status === 'resolved') {
      if (this.open.get(view.patientId) === view.alertId) this.open.delete(view.patientId);
    } else this.open.set(view.patientId, view.alertId);
  }

  /** A scored window arrived: data is back, so an open "no data" alert resolves. */
  async onScore(patientId: string): Promise<void> {
    const alertId = this.open.get(patientId);
    if (alertId === undefined) return;
    this.open.delete(patientId);
    const now = Date.now();
    await this.produce({
      ...this.event(patientId, alertId, 0),
      state: 'resolved',
      reason: 'Data from the device again',
      at: now,
    });
  }

  async sweep(now = Date.now()): Promise<number> {
    const limit = this.config.noDataSeconds * 1000;
    let raised = 0;
    for (const [patientId, { lastSeenAt }] of this.history.seen()) {
      if (lastSeenAt === null || now - lastSeenAt < limit || this.open.has(patientId)) continue;
      const lastWindowAt = this.history.lastWindowAt(patientId) ?? lastSeenAt;
      const alertId = noDataAlertId(patientId, lastWindowAt);
      this.open.set(patientId, alertId);
      if (!(await this.store.claim(`no-data:${alertId}`))) continue;
      await this.produce(this.event(patientId, alertId, lastWindowAt, now));
      raisedTotal.inc();
      raised++;
    }
    return raised;
  }

  private event(patientId: string, alertId: string, startedAt: number, now = Date.now()): AlertEvent {
    const minutes = Math.max(1, Math.round(this.config.noDataSeconds / 60));
    return {
      v: 1,
      alertId,
      patientId,
      kind: 'technical',
      state: 'raised',
      severity: 'medium',
      reason: `No data from the device for over ${minutes} min: check the device`,
      vitals: [],
      evidence: [{ source: 'sensor', vital: null, value: null, usual: null, score: 1 }],
      startedAt,
      at: now,
    };
  }

  private produce(event: AlertEvent): Promise<void> {
    return this.kafka.send(TOPICS.alerts, [{ key: event.patientId, value: event }]).then(() => undefined);
  }
}
