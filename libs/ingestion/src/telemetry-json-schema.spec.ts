import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { telemetryJsonSchema } from '@vigil/contracts';

// The published JSON Schema is generated from the zod schema the validator runs; this keeps them equal.
// To regenerate after changing libs/contracts/src/telemetry.ts: npm run build && node bin/vigil devices schema > libs/contracts/schemas/telemetry-v1.schema.json
const PUBLISHED = join(__dirname, '..', '..', 'contracts', 'schemas', 'telemetry-v1.schema.json');

describe(telemetryJsonSchema.name, () => {
  it('equals the JSON Schema published in the repository', () => {
    expect(JSON.parse(readFileSync(PUBLISHED, 'utf8'))).toEqual(telemetryJsonSchema());
  });

  it('states the ranges a device must respect', () => {
    const schema = JSON.stringify(telemetryJsonSchema());
    expect(schema).toContain('"minimum":40,"maximum":100');
    expect(schema).toContain('"additionalProperties":false');
  });
});
