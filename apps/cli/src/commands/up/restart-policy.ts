/**
 * How `vigil up` supervises its apps: pure, so the schedule is unit-tested without processes.
 * A crashed app (non-zero exit or a signal, not during shutdown) is restarted after 1 s, 2 s, 4 s …
 * capped at 30 s; an app that stayed up 60 s counts as healthy again, so its next crash waits 1 s.
 * A configuration error (exit 78, EX_CONFIG) is not restarted: it fails the same way every time.
 */
export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Up at least this long: the crash count starts again from zero. */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

/** Exit status of a configuration error (`bootstrapApp`): restarting cannot fix it. */
export const EX_CONFIG = 78;

export interface AppRun {
  /** Crashes in a row without a stable run between them. */
  readonly crashes: number;
  readonly startedAt: number;
}

export type ExitDecision =
  | { readonly kind: 'ignore' } // a clean exit (code 0), e.g. while stopping
  | { readonly kind: 'give-up'; readonly why: string }
  | { readonly kind: 'restart'; readonly delayMs: number; readonly crashes: number; readonly upMs: number };

/** What to do when an app exited with `code` / `signal` at `now`, after the run `run`. */
export function onAppExit(
  run: AppRun,
  exit: { readonly code: number | null; readonly signal: string | null },
  now: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): ExitDecision {
  if (exit.signal === null && exit.code === 0) return { kind: 'ignore' };
  if (exit.signal === null && exit.code === EX_CONFIG)
    return { kind: 'give-up', why: 'configuration error (exit 78): restarting cannot fix it' };
  const upMs = Math.max(0, now - run.startedAt);
  const before = upMs >= policy.stableAfterMs ? 0 : run.crashes;
  return { kind: 'restart', delayMs: backoffDelay(before, policy), crashes: before + 1, upMs };
}

/** Delay before the restart that follows `crashesBefore` earlier crashes in a row: 1 s, 2 s, 4 s … ≤ 30 s. */
export function backoffDelay(crashesBefore: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(crashesBefore, 30));
}
