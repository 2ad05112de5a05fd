import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type AlertAudit, type AlertEvent, type AlertView, type Silence, TOPICS } from '@vigil/contracts';
import {
  applyToAlert,
  decideSilence,
  dueEscalations,
  type EscalationChains,
  type LifecycleInput,
  silenceActive,
  type User,
} from '@vigil/alerting';
import { CONFIG, KafkaConnection, pseudonym } from '@vigil/infra';
import { AlertStore } from './alert.store';
import { ClinicianGateway } from './clinician.gateway';
import { NoDataWatcher } from './no-data.watcher';
import { PatientHistory } from './patient-history';
import { SilenceStore } from './silence.store';

/** A compare-and-set write lost to another writer this many times in a row: give up (the batch is retried). */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * Alert lifecycle: detector events and people's actions go through the pure lifecycle, the result is
 * stored in Redis (a compare-and-set write that also appends the new version to the clinicians' event
 * feed, once whichever gateways apply it) and audited to Kafka. Clinicians get each change from the
 * feed (ClinicianGateway tails it), so every gateway instance pushes every change in the same order.
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
    private readonly silences: SilenceStore,
    private readonly history: PatientHistory,
    private readonly noData: NoDataWatcher,
  ) {}

  /**
   * A detector event from Kafka. Returns the audit record to write (null: nothing changed) and how
   * many clinicians' sockets the alert's new state was pushed to (null: not pushed, already was).
   */
  async onDetectorEvent(event: AlertEvent): Promise<{ audit: AlertAudit | null; pushedTo: number | null }> {
    const audit = await this.transition(event.alertId, { kind: 'event', event }, 'vigil', event);
    const pushedTo = await this.push(event.alertId);
    return { audit, pushedTo };
  }

  /**
   * An audit record from Kafka (any gateway's action): this gateway's history and no-data watch take
   * the alert's new state (clinicians got it from the feed: a silence's too).
   */
  async onAudit(audit: AlertAudit): Promise<void> {
    this.history.onAudit(audit);
    if (!audit.silence) await this.push(audit.alertId);
  }

  /**
   * Silences a patient's announcements for a time-box with a reason (the pure rule: decideSilence).
   * Stored in Redis for every gateway, audited on alerts.audit; every gateway pushes it from there.
   */
  async silence(user: User, patientId: string, minutes: number, reason: string): Promise<Silence> {
    if (!this.gateway.allowed(user, patientId)) throw new NotFoundException(`no patient ${patientId}`);
    const open = (await this.store.listOpen()).filter((a) => a.patientId === patientId);
    const decided = decideSilence(
      { patientId, minutes, reason: String(reason ?? ''), by: user.sub },
      open,
      Date.now(),
      this.config.silenceMaxMinutes,
    );
    if (!decided.ok) throw new ConflictException(decided.message);
    await this.silences.put(decided.silence);
    await this.auditSilence('silenced', decided.silence, user.sub);
    return decided.silence;
  }

  /** Lifts a patient's silence before its end. */
  async unsilence(user: User, patientId: string): Promise<Silence> {
    if (!this.gateway.allowed(user, patientId)) throw new NotFoundException(`no patient ${patientId}`);
    const current = await this.silences.get(patientId);
    const now = Date.now();
    if (!silenceActive(current, now)) throw new ConflictException(`patient ${patientId} is not silenced`);
    const lifted: Silence = { ...current, until: now };
    await this.silences.put(lifted, now);
    await this.auditSilence('unsilenced', lifted, user.sub);
    return lifted;
  }

  async activeSilences(now = Date.now()): Promise<Silence[]> {
    return (await this.silences.list()).filter((s) => silenceActive(s, now));
  }

  private async auditSilence(action: 'silenced' | 'unsilenced', silence: Silence, by: string): Promise<void> {
    const audit: AlertAudit = {
      v: 1,
      alertId: `silence:${silence.patientId}`,
      patientId: silence.patientId,
      action,
      severity: silence.severity,
      by,
      at: Date.now(),
      note: silence.reason,
      silence,
    };
    await this.kafka.send(TOPICS.audit, [{ key: audit.patientId, value: audit }]);
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

  /** Each severity's escalation chain, from the settings. */
  get chains(): EscalationChains {
    return {
      high: this.config.escalationHigh,
      medium: this.config.escalationMedium,
      low: this.config.escalationLow,
    };
  }

  /**
   * Takes the chain steps that are due: the due times come from each alert's stored state (when it
   * opened, steps taken), not from in-memory timers, so they survive a gateway restart; one gateway
   * wins each step (Redis claim). Each step is audited to Kafka with its number and target.
   */
  async escalateOverdue(now = Date.now()): Promise<number> {
    let escalated = 0;
    for (const due of dueEscalations(await this.store.listOpen(), this.chains, now)) {
      if (!(await this.store.claim(due.claim))) continue;
      const audit = await this.transition(
        due.alertId,
        { kind: 'escalate', at: now, step: due.step, target: due.target },
        'vigil',
      );
      if (audit) {
        await this.kafka.send(TOPICS.audit, [
          {
            key: audit.patientId,
            value: {
              ...audit,
              step: due.step,
              target: due.target,
              note: `not acknowledged in time: step ${due.step}, ${due.target}`,
            },
          },
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
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.read(alertId);
      const { view, action, refused } = applyToAlert(current?.view ?? null, input);
      if (refused === 'not-acknowledged')
        throw new ConflictException(
          `acknowledge alert ${alertId} before resolving it (it is ${current?.view.status ?? 'gone'})`,
        );
      if (action === null) return null;
      if ((await this.store.put(view, current)) === null) {
        // Another gateway (or person) changed it since it was read: apply to what is there now.
        if (attempt < MAX_WRITE_ATTEMPTS) continue;
        throw new ConflictException(`alert ${alertId} keeps changing; try again`);
      }
      return this.audited(alertId, view, action, by, event);
    }
  }

  private audited(
    alertId: string,
    view: AlertView,
    action: NonNullable<ReturnType<typeof applyToAlert>['action']>,
    by: string,
    event?: AlertEvent,
  ): AlertAudit {
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

  /**
   * This gateway's own state takes the alert's new version (history, no-data watch); the version
   * reaches clinicians through the feed. Returns to how many of this gateway's sockets it goes
   * (null: nothing new, already taken).
   */
  private async push(alertId: string): Promise<number | null> {
    const view = await this.store.get(alertId);
    if (!view) return null;
    const fingerprint = `${view.status}|${view.severity}|${view.updatedAt}`;
    if (this.lastPushed.get(alertId) === fingerprint) return null;
    this.lastPushed.set(alertId, fingerprint);
    if (this.lastPushed.size > 100_000) this.lastPushed.delete(this.lastPushed.keys().next().value as string);
    this.history.onAlert(view);
    this.noData.onAlert(view);
    return this.gateway.audience(view.patientId);
  }
}
