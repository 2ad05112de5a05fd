import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { type AlertView } from '@vigil/contracts';
import { type User } from '@vigil/alerting';
import { AlertService } from './alert.service';
import { CurrentUser, JwtGuard } from './auth.guard';

/** REST for alerts: list the open ones a person may see, acknowledge, resolve. */
@Controller('alerts')
@UseGuards(JwtGuard)
export class AlertsController {
  constructor(private readonly alerts: AlertService) {}

  @Get()
  open(@CurrentUser() user: User): Promise<AlertView[]> {
    return this.alerts.listOpen(user);
  }

  @Post(':id/ack')
  @HttpCode(200)
  ack(@CurrentUser() user: User, @Param('id') id: string): Promise<AlertView> {
    return this.alerts.act(user, id, 'ack');
  }

  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@CurrentUser() user: User, @Param('id') id: string): Promise<AlertView> {
    return this.alerts.act(user, id, 'resolve');
  }
}
