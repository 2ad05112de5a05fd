import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  Headers,
  NotFoundException,
  Param,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { REGISTRY_ID_PATTERN } from '@vigil/contracts';
import {
  alertToDetectedIssue,
  canSee,
  fhirId,
  type FhirBundle,
  type FhirResource,
  scoreToObservations,
  searchBundle,
  type User,
} from '@vigil/alerting';
import { AlertStore } from './alert.store';
import { CurrentUser, JwtGuard } from './auth.guard';
import { CareTeamsProjection } from './care-teams.projection';
import { PatientHistory } from './patient-history';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * Read-only FHIR R4 for the hospital's systems, with the same authorisation as the rest of the
 * gateway (a clinician sees only their care teams' patients; on-call and admin all):
 * `GET /fhir/DetectedIssue[?patient=]` (open alerts), `GET /fhir/DetectedIssue/:id`,
 * `GET /fhir/Observation?patient=<id>[&_count=n]` (the recent windows' vitals, newest first).
 */
@Controller('fhir')
@UseGuards(JwtGuard)
export class FhirController {
  constructor(
    private readonly store: AlertStore,
    private readonly teams: CareTeamsProjection,
    private readonly history: PatientHistory,
  ) {}

  @Get('DetectedIssue')
  async detectedIssues(
    @CurrentUser() user: User,
    @Headers('host') host: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Query('patient') patient?: string,
  ): Promise<FhirBundle> {
    const patientId = patient === undefined ? undefined : this.patientParam(patient);
    const alerts = (await this.store.listOpen()).filter(
      (a) => this.allowed(user, a.patientId) && (patientId === undefined || a.patientId === patientId),
    );
    res.type(FHIR_JSON);
    return searchBundle(alerts.map(alertToDetectedIssue), base(host));
  }

  @Get('DetectedIssue/:id')
  async detectedIssue(
    @CurrentUser() user: User,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FhirResource> {
    const alert =
      (await this.store.get(id)) ?? (await this.store.listOpen()).find((a) => fhirId(a.alertId) === id);
    if (!alert || !this.allowed(user, alert.patientId)) throw new NotFoundException(`no DetectedIssue ${id}`);
    res.type(FHIR_JSON);
    return alertToDetectedIssue(alert);
  }

  @Get('Observation')
  observations(
    @CurrentUser() user: User,
    @Headers('host') host: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Query('patient') patient?: string,
    @Query('_count') count?: string,
  ): FhirBundle {
    if (patient === undefined) throw new BadRequestException('search Observations by patient: ?patient=<id>');
    const patientId = this.patientParam(patient);
    if (!this.allowed(user, patientId))
      throw new ForbiddenException(`${user.sub} is not in ${patientId}'s care team`);
    const limit = count === undefined ? 100 : Number(count);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new BadRequestException('_count must be an integer 1–1000');
    const observations = this.history.windows(patientId).flatMap(scoreToObservations).slice(0, limit);
    res.type(FHIR_JSON);
    return searchBundle(observations, base(host));
  }

  /** `patient=<id>` or `patient=Patient/<id>`. */
  private patientParam(value: string): string {
    const id = value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
    if (!REGISTRY_ID_PATTERN.test(id)) throw new BadRequestException(`not a patient id: ${value}`);
    return id;
  }

  private allowed(user: User, patientId: string): boolean {
    return canSee(user, this.teams.teamsOf(patientId));
  }
}

const base = (host: string | undefined): string => `http://${host ?? 'localhost'}/fhir`;
