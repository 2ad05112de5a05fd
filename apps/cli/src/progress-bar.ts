import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on stderr, so stdout stays for results; without a terminal it prints a line every few seconds. */
export function progressBar(label: string, unit: string, total: number): SingleBar {
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {status} | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { status: '' });
  return bar;
}
