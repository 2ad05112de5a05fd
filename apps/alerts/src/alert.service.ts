import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { Counter } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type AlertAudit, type AlertEvent, type AlertView, TOPICS } from '@vigil/contracts';
import { applyToAlert, type LifecycleInput, type User } from '@vigil/alerting';
import { CONFIG, KafkaConnection, pseudonym } from '@vigil/infra';
import { AlertStore } from './alert.store';
import { ClinicianGateway } from './clinician.gateway';

const pushed = new Counter({
  name: 'vigil_alerts_pushed_total',
  help: 'Alert updates pushed to clinicians',
  labelNames: ['status'],
});

/**
 * Alert lifecycle: detector events and people's actions go through the pure lifecycle, the result is
 * stored in Redis and audited to Kafka. Pushing to clinicians is driven by Kafka only (alerts.events
 * and alerts.audit), so every gateway instance pushes every change exactly as the others do.
 */
@Injectable()
export class AlertService {
  private readonly logger = new Logger(AlertService.name);
  /** What this gateway last pushed per alert, so a replayed record is not pushed again. */
  private readonly lastPushed = new Map<string, string>();

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly store: AlertStore,
    private readonly kafka: KafkaConnection,
    private readonly gateway: ClinicianGateway,
  ) {}

  /** A detector event from Kafka. Returns the audit record to write (null: nothing changed). */
  async onDetectorEvent(event: AlertEvent): Promise<AlertAudit | null> {
    const audit = await this.transition(event.alertId, { kind: 'event', event }, 'vigil', event);
    await this.push(event.alertId);
    return audit;
  }

  /** An audit record from Kafka (any gateway's action): push the alert's new state. */
  async onAudit(audit: AlertAudit): Promise<void> {
    await this.push(audit.alertId);
  }

  async act(user: User, alertId: string, kind: 'ack' | 'resolve'): Promise<AlertView> {
    const current = await this.store.get(alertId);
    if (!current || !this.gateway.allowed(user, current.patientId))
      throw new NotFoundException(`no alert ${alertId}`);
    const audit = await this.transition(alertId, { kind, by: user.sub, at: Date.now() }, user.sub);
    if (audit) await this.kafka.send(TOPICS.audit, [{ key: audit.patientId, value: audit }]);
    return (await this.store.get(alertId)) as AlertView;
  }

  listOpen(user: User): Promise<AlertView[]> {
    return this.store.listOpen().then((all) => all.filter((a) => this.gateway.allowed(user, a.patientId)));
  }

  /** Escalates open alerts nobody acknowledged in time; one gateway wins each escalation. */
  async escalateOverdue(now = Date.now()): Promise<number> {
    let escalated = 0;
    const deadline = now - this.config.escalateAfterSeconds * 1000;
    for (const alert of await this.store.listOpen()) {
      if (alert.status !== 'open' || alert.updatedAt > deadline) continue;
      if (!(await this.store.claim(`escalate:${alert.alertId}:${alert.updatedAt}`))) continue;
      const audit = await this.transition(alert.alertId, { kind: 'escalate', at: now }, 'vigil');
      if (audit) {
        await this.kafka.send(TOPICS.audit, [
          { key: audit.patientId, value: { ...audit, note: 'not acknowledged in time' } },
        ]);
        escalated++;
      }
    }
    return escalated;
  }

  private async transition(
    alertId: string,
    input: LifecycleInput,
    by: string,
    event?: AlertEvent,
  ): Promise<AlertAudit | null> {
    const current = await this.store.get(alertId);
    const { view, action, refused } = applyToAlert(current, input);
    if (refused === 'not-acknowledged')
      throw new ConflictException(
        `acknowledge alert ${alertId} before resolving it (it is ${current?.status ?? 'gone'})`,
      );
    if (action === null) return null;
    await this.store.put(view);
    this.logger.log(`${pseudonym(alertId)} ${action} (${view.severity}) by ${by}`); // no patient id in logs
    return {
      v: 1,
      alertId,
      patientId: view.patientId,
      action,
      severity: view.severity,
      by,
      at: event?.at ?? view.updatedAt,
    };
  }

  private async push(alertId: string): Promise<void> {
    const view = await this.store.get(alertId);
    if (!view) return;
    const fingerprint = `${view.status}|${view.severity}|${view.updatedAt}`;
    if (this.lastPushed.get(alertId) === fingerprint) return;
    this.lastPushed.set(alertId, fingerprint);
    if (this.lastPushed.size > 100_000) this.lastPushed.delete(this.lastPushed.keys().next().value as string);
    this.gateway.broadcastAlert(view);
    pushed.inc({ status: view.status });
  }
}
