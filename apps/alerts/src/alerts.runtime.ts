import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { sweepIntervalMs } from '@vigil/alerting';
import { CONFIG } from '@vigil/infra';
import { AlertService } from './alert.service';
import { CareTeamsProjection } from './care-teams.projection';
import { type ClientAction, ClinicianGateway, type Hello } from './clinician.gateway';
import { PatientHistory } from './patient-history';

/** Starts the WebSocket gateway with its callbacks and runs the escalation sweep. */
@Injectable()
export class AlertsRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertsRuntime.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly gateway: ClinicianGateway,
    private readonly alerts: AlertService,
    private readonly history: PatientHistory,
    private readonly careTeams: CareTeamsProjection,
  ) {}

  private readonly hello: Hello = async (user) => {
    const ids = new Set([...this.careTeams.patientIds(), ...[...this.history.seen()].map(([id]) => id)]);
    return {
      user: user.sub,
      role: user.role,
      openAlerts: await this.alerts.listOpen(user),
      silences: await this.alerts.activeSilences(),
      patients: [...ids].map((patientId) => ({
        patientId,
        ...this.careTeams.displayOf(patientId),
        lastSeenAt: this.history.lastSeenAt(patientId),
      })),
      noDataMs: this.config.noDataSeconds * 1000,
      silenceMaxMinutes: this.config.silenceMaxMinutes,
    };
  };

  private readonly onAction: ClientAction = async (user, message) => {
    switch (message.type) {
      case 'ack':
      case 'resolve':
        await this.alerts.act(user, message.data.alertId, message.type);
        return;
      case 'silence':
        await this.alerts.silence(user, message.data.patientId, message.data.minutes, message.data.reason);
        return;
      case 'unsilence':
        await this.alerts.unsilence(user, message.data.patientId);
        return;
      case 'detail':
        if (!this.gateway.allowed(user, message.data.patientId))
          throw new Error(`no patient ${message.data.patientId}`);
        return { type: 'detail', data: this.history.detail(message.data.patientId) };
    }
  };

  async onApplicationBootstrap(): Promise<void> {
    await this.gateway.start(this.hello, this.onAction);
    // Check a few times per shortest chain step; one gateway wins each escalation (Redis claim).
    const every = sweepIntervalMs(this.alerts.chains);
    this.timer = setInterval(() => {
      this.alerts
        .escalateOverdue()
        .catch((e: unknown) => this.logger.warn(`escalation sweep failed: ${String(e)}`));
    }, every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
