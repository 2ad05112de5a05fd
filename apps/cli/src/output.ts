/**
 * CLI output convention: text for people on stdout by default; with --json, progress and text go to
 * stderr and the last line of stdout is one JSON object with the command's result.
 */
export interface OutputOptions {
  readonly json?: boolean;
}

export class Output {
  constructor(private readonly options: OutputOptions) {}

  get json(): boolean {
    return this.options.json === true;
  }

  /** A line for people (stderr under --json, so stdout stays machine-readable). */
  info(line = ''): void {
    (this.json ? process.stderr : process.stdout).write(line + '\n');
  }

  /** The command's result: printed as JSON under --json, else rendered by `text` for people. */
  result(value: object, text?: (value: object) => string): void {
    if (this.json) process.stdout.write(JSON.stringify(value) + '\n');
    else if (text) process.stdout.write(text(value) + '\n');
  }
}

/** A fixed-width table for people. */
export function table(rows: readonly (readonly (string | number)[])[], header: readonly string[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}
