import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type z } from 'zod';
import { type DeviceRecord, type RegistryRefusal, type RegistryResult, RegistryStore } from '@vigil/registry';
import { AdminGuard } from './admin.guard';
import {
  BindDeviceDto,
  bindSchema,
  CareTeamsDto,
  careTeamsSchema,
  CredentialsDto,
  DeviceDto,
  PatientDto,
  RegisterDeviceDto,
  registerDeviceSchema,
} from './registry.dto';

/** A device without its password hash (the hash stays between the registry and the broker). */
const publicDevice = ({ passwordHash: _hash, ...device }: DeviceRecord): DeviceDto => device;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new BadRequestException(
      result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
    );
  return result.data;
}

/** Refusals are values in the registry; here, at the edge, they become HTTP statuses. */
function unwrap<T>(result: RegistryResult<T>): T {
  if (result.ok) return result.value;
  const { code, message }: RegistryRefusal = result.refusal;
  switch (code) {
    case 'invalid_id':
      throw new BadRequestException(message);
    case 'unknown_device':
      throw new NotFoundException(message);
    case 'already_registered':
    case 'revoked':
      throw new ConflictException(message);
  }
}

/** The device registry REST API (admin role). OpenAPI at /registry/docs. */
@ApiTags('registry')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('registry')
export class RegistryController {
  constructor(private readonly registry: RegistryStore) {}

  @Get('devices')
  @ApiOperation({ summary: 'List devices' })
  @ApiOkResponse({ type: [DeviceDto] })
  async devices(): Promise<DeviceDto[]> {
    return (await this.registry.devices()).map(publicDevice);
  }

  @Get('devices/:deviceId')
  @ApiOperation({ summary: 'One device and its binding' })
  @ApiOkResponse({ type: DeviceDto })
  async device(@Param('deviceId') deviceId: string): Promise<DeviceDto> {
    const device = await this.registry.device(deviceId);
    if (device === null) throw new NotFoundException(`device ${deviceId} is not registered`);
    return publicDevice(device);
  }

  @Post('devices')
  @ApiOperation({ summary: 'Register a device; returns its MQTT credentials once' })
  @ApiOkResponse({ type: CredentialsDto })
  async register(@Body() body: RegisterDeviceDto): Promise<CredentialsDto> {
    const { deviceId, model, password } = parse(registerDeviceSchema, body);
    const r = unwrap(await this.registry.register(deviceId, { model, password }));
    return { device: publicDevice(r.device), password: r.password, username: deviceId };
  }

  @Post('devices/:deviceId/credentials')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a new MQTT password (the old one stops working once the broker files are regenerated)',
  })
  @ApiOkResponse({ type: CredentialsDto })
  async rotate(@Param('deviceId') deviceId: string): Promise<CredentialsDto> {
    const r = unwrap(await this.registry.rotateCredentials(deviceId));
    return { device: publicDevice(r.device), password: r.password, username: deviceId };
  }

  @Delete('devices/:deviceId')
  @ApiOperation({
    summary: 'Revoke a device: its samples are refused (unknown_device) and it leaves the broker files',
  })
  @ApiOkResponse({ type: DeviceDto })
  async revoke(@Param('deviceId') deviceId: string): Promise<DeviceDto> {
    return publicDevice(unwrap(await this.registry.revoke(deviceId)));
  }

  @Put('devices/:deviceId/patient')
  @ApiOperation({
    summary: 'Bind the device to a patient (its samples are keyed by that patient from now on)',
  })
  @ApiOkResponse({ type: DeviceDto })
  async bind(@Param('deviceId') deviceId: string, @Body() body: BindDeviceDto): Promise<DeviceDto> {
    const { patientId } = parse(bindSchema, body);
    return publicDevice(unwrap(await this.registry.bind(deviceId, patientId)));
  }

  @Delete('devices/:deviceId/patient')
  @ApiOperation({ summary: 'Unbind the device (its samples are refused as device_unbound)' })
  @ApiOkResponse({ type: DeviceDto })
  async unbind(@Param('deviceId') deviceId: string): Promise<DeviceDto> {
    return publicDevice(unwrap(await this.registry.unbind(deviceId)));
  }

  @Get('patients')
  @ApiOperation({ summary: 'List patients and their care teams' })
  @ApiOkResponse({ type: [PatientDto] })
  async patients(): Promise<PatientDto[]> {
    return (await this.registry.patients()).map((p) => ({
      patientId: p.patientId,
      careTeams: [...p.careTeams],
      displayName: p.displayName,
      bed: p.bed,
    }));
  }

  @Put('patients/:patientId/care-teams')
  @ApiOperation({ summary: "Set the care teams a patient belongs to (who sees the patient's alerts)" })
  @ApiOkResponse({ type: PatientDto })
  async careTeams(@Param('patientId') patientId: string, @Body() body: CareTeamsDto): Promise<PatientDto> {
    const { careTeams, displayName, bed } = parse(careTeamsSchema, body);
    const p = unwrap(await this.registry.setCareTeams(patientId, careTeams, { displayName, bed }));
    return { patientId: p.patientId, careTeams: [...p.careTeams], displayName: p.displayName, bed: p.bed };
  }
}
