import { createHash } from 'node:crypto';

/**
 * A stable stand-in for an identifier that names a patient (a patient id, an alert id, which starts
 * with one), for log lines: `ref-` and 12 hex digits of its SHA-256. Operators who hold the id can
 * compute the same reference (`node -p "require('crypto').createHash('sha256').update(ID).digest('hex').slice(0,12)"`);
 * a log reader who does not learns nothing about the patient.
 */
export function pseudonym(id: string): string {
  return `ref-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}
