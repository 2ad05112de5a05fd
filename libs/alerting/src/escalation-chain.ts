import type { AlertView, Severity } from '@vigil/contracts';

/** One step of an escalation chain: this long after the alert opened, call this target (a role or rota name). */
export interface EscalationStep {
  readonly afterSeconds: number;
  readonly target: string;
}

/** The chain of each severity (VIGIL_ESCALATION_HIGH / _MEDIUM / _LOW); an empty chain never escalates by time. */
export type EscalationChains = Readonly<Record<Severity, readonly EscalationStep[]>>;

export interface DueEscalation {
  readonly alertId: string;
  /** 1-based step of the chain this escalation takes. */
  readonly step: number;
  readonly target: string;
  /** When the step falls due (epoch ms): openedAt + the step's delay. */
  readonly dueAt: number;
  /** Name the gateways claim (Redis SET NX) so that exactly one of them takes this step. */
  readonly claim: string;
}

/**
 * The alert's clock and progress, derived from its state alone (no in-memory timers): a gateway
 * that restarts, or another gateway, computes the same due times. Views written before chains
 * existed count from updatedAt, an escalated one as having taken step 1.
 */
export function escalationProgress(view: AlertView): { readonly since: number; readonly step: number } {
  return {
    since: view.openedAt ?? view.updatedAt,
    step: view.escalationStep ?? (view.status === 'escalated' ? 1 : 0),
  };
}

/**
 * The next step of the alert's chain, due or not; null when nothing is left to do (acknowledged,
 * resolved, or the chain is exhausted).
 */
export function nextEscalation(view: AlertView, chains: EscalationChains): DueEscalation | null {
  if (view.status !== 'open' && view.status !== 'escalated') return null;
  const chain = chains[view.severity];
  const { since, step } = escalationProgress(view);
  if (step >= chain.length) return null;
  const next = chain[step];
  return {
    alertId: view.alertId,
    step: step + 1,
    target: next.target,
    dueAt: since + next.afterSeconds * 1000,
    claim: `escalate:${view.alertId}:${since}:${step + 1}`,
  };
}

/**
 * The escalations due at `now`, one step per alert (a gateway that was down long takes the next
 * step at the next sweep, so every step is still announced, in order).
 */
export function dueEscalations(
  views: readonly AlertView[],
  chains: EscalationChains,
  now: number,
): DueEscalation[] {
  const due: DueEscalation[] = [];
  for (const view of views) {
    const next = nextEscalation(view, chains);
    if (next && next.dueAt <= now) due.push(next);
  }
  return due;
}

/** How often a gateway should sweep: a quarter of the shortest first step, between 1 s and 10 s. */
export function sweepIntervalMs(chains: EscalationChains): number {
  const firsts = Object.values(chains)
    .filter((c) => c.length > 0)
    .map((c) => c[0].afterSeconds * 1000);
  if (firsts.length === 0) return 10_000;
  return Math.max(1000, Math.min(10_000, Math.min(...firsts) / 4));
}
