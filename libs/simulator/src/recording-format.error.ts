/**
 * A recording folder that does not follow docs/recording-format.md. The message names the file and,
 * where it applies, the row (a spreadsheet's numbering: the header is row 1) and the column, e.g.
 * `samples.csv row 17, column spo2: "9x" is not a number`.
 */
export class RecordingFormatError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly row?: number,
    readonly column?: string,
  ) {
    super(
      row === undefined
        ? `${file} ${problem}`
        : `${file} row ${row}${column === undefined ? '' : `, column ${column}`}: ${problem}`,
    );
    this.name = 'RecordingFormatError';
  }
}
