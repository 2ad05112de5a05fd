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
import { ClinicianGateway } from './clinician.gateway';

/** Starts the WebSocket gateway with its callbacks and runs the escalation sweep. */
@Injectable()
export class AlertsRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertsRuntime.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly gateway: ClinicianGateway,
    private readonly alerts: AlertService,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.start(
      this.config.jwtSecret ?? '',
      (user) => this.alerts.listOpen(user),
      async (user, message) => void (await this.alerts.act(user, message.data.alertId, message.type)),
    );
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
