/**
 * What the evaluate helpers need from the CLI shell, passed in by evaluate.command.ts (the
 * helpers may not reach up into the CLI's own modules).
 */
export interface Progress {
  update(value: number, payload?: object): void;
  increment(delta: number, payload?: object): void;
  stop(): void;
}
export type ProgressFactory = (label: string, unit: string, total: number) => Progress;
export type TableRenderer = (
  rows: readonly (readonly (string | number)[])[],
  header: readonly string[],
) => string;
