import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  Param,
  Put,
  UseGuards,
} from '@nestjs/common';
import {
  type PatientLimitsChange,
  patientLimitsRequestSchema,
  REGISTRY_ID_PATTERN,
  TOPICS,
} from '@vigil/contracts';
import { type User } from '@vigil/alerting';
import { KafkaConnection } from '@vigil/infra';
import { CurrentUser, JwtGuard } from './auth.guard';
import { ClinicianGateway } from './clinician.gateway';

/**
 * Per-patient limits, set by the patient's care team (or on-call, or an admin): NEWS2 SpO2 scale 2
 * for hypercapnic patients, a wider HR band, a lower SBP floor. The change, with who, when and why,
 * goes to Kafka `patients.limits` (kept forever: the audit trail); every scorer applies it live.
 */
@Controller('patients')
@UseGuards(JwtGuard)
export class PatientLimitsController {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly gateway: ClinicianGateway,
  ) {}

  @Put(':patientId/limits')
  @HttpCode(200)
  async set(
    @CurrentUser() user: User,
    @Param('patientId') patientId: string,
    @Body() body: unknown,
  ): Promise<PatientLimitsChange> {
    if (!REGISTRY_ID_PATTERN.test(patientId)) throw new BadRequestException(`not a patient id: ${patientId}`);
    if (!this.gateway.allowed(user, patientId))
      throw new ForbiddenException(`${user.sub} is not in ${patientId}'s care team`);
    const parsed = patientLimitsRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new BadRequestException(
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
      );
    const change: PatientLimitsChange = {
      v: 1,
      patientId,
      limits: parsed.data.limits,
      by: user.sub,
      reason: parsed.data.reason,
      at: Date.now(),
    };
    await this.kafka.send(TOPICS.patientLimits, [{ key: patientId, value: change }]);
    return change;
  }
}
