import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod';
import { REGISTRY_ID_PATTERN } from '@vigil/contracts';

const id = z.string().regex(REGISTRY_ID_PATTERN, '1-64 letters, digits, . _ -');

export const registerDeviceSchema = z.strictObject({
  deviceId: id,
  model: z.string().max(200).optional(),
  password: z.string().min(12, 'at least 12 characters').max(200).optional(),
});
export class RegisterDeviceDto {
  @ApiProperty({ example: 'dev-0001', pattern: REGISTRY_ID_PATTERN.source })
  deviceId!: string;
  @ApiPropertyOptional({ example: 'Vigil Watch 2' })
  model?: string;
  @ApiPropertyOptional({
    description: 'MQTT password to give the device (at least 12 characters); one is generated when absent',
  })
  password?: string;
}

export const bindSchema = z.strictObject({ patientId: id });
export class BindDeviceDto {
  @ApiProperty({ example: 'pat-0001' })
  patientId!: string;
}

export const careTeamsSchema = z.strictObject({
  careTeams: z.array(id).max(100),
  // How screens name the patient (optional; omitted: unchanged on screens, null: cleared).
  displayName: z.string().trim().min(1).max(80).nullable().optional(),
  bed: z.string().trim().min(1).max(16).nullable().optional(),
});
export class CareTeamsDto {
  @ApiProperty({ example: ['team-a'], type: [String] })
  careTeams!: string[];
  @ApiProperty({ required: false, nullable: true, type: String, example: 'Ada Lovelace' })
  displayName?: string | null;
  @ApiProperty({ required: false, nullable: true, type: String, example: '4' })
  bed?: string | null;
}

export class DeviceDto {
  @ApiProperty() deviceId!: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty() registeredAt!: number;
  @ApiProperty() revoked!: boolean;
  @ApiProperty({ nullable: true, type: String }) patientId!: string | null;
  @ApiProperty({ nullable: true, type: Number }) boundAt!: number | null;
}

export class CredentialsDto {
  @ApiProperty({ type: DeviceDto }) device!: DeviceDto;
  @ApiProperty({ description: 'The MQTT password: shown once, stored only as a hash' }) password!: string;
  @ApiProperty({ example: 'dev-0001', description: 'MQTT username (= device id)' }) username!: string;
}

export class PatientDto {
  @ApiProperty() patientId!: string;
  @ApiProperty({ type: [String] }) careTeams!: string[];
  @ApiProperty({ required: false, nullable: true, type: String }) displayName?: string | null;
  @ApiProperty({ required: false, nullable: true, type: String }) bed?: string | null;
}
