import type { AlertAction, AlertEvent, AlertView } from '@vigil/contracts';

export type LifecycleInput =
  | { readonly kind: 'event'; readonly event: AlertEvent }
  | { readonly kind: 'ack'; readonly by: string; readonly at: number }
  | { readonly kind: 'resolve'; readonly by: string; readonly at: number }
  | {
      readonly kind: 'escalate';
      readonly at: number;
      /** Chain step (1-based) this escalation takes; default: the one after the alert's last. */
      readonly step?: number;
      readonly target?: string;
    };

/** Why a person's action was refused (nothing changed): a value, translated to 409 / a WS error at the edge. */
export type LifecycleRefusal = 'not-acknowledged';

export interface LifecycleResult {
  readonly view: AlertView;
  /** Audit action to record; null when nothing changed (a replayed event, a second ack). */
  readonly action: AlertAction | null;
  /** Set when the action is not allowed in the alert's current status. */
  readonly refused?: LifecycleRefusal;
}

/**
 * The alert lifecycle: open → acknowledged → resolved, with escalation when nobody acknowledges in
 * time and severity rises from the detector. A person resolves only an acknowledged alert, whatever
 * its status or their role (an escalated alert too: someone owns it before it is closed); the
 * detector's own resolve (the condition cleared) needs no acknowledgement. Pure: the alerts app stores views in Redis and calls
 * this to decide what a clinician sees next. Returns action null for anything that is a no-op, so
 * replays and double clicks reach nobody twice.
 */
export function applyToAlert(current: AlertView | null, input: LifecycleInput): LifecycleResult {
  if (input.kind === 'event') return fromDetector(current, input.event);
  if (!current || current.status === 'resolved') return { view: current as AlertView, action: null };
  switch (input.kind) {
    case 'ack':
      if (current.status === 'acknowledged') return { view: current, action: null };
      return {
        view: { ...current, status: 'acknowledged', acknowledgedBy: input.by, updatedAt: input.at },
        action: 'acknowledged',
      };
    case 'resolve':
      if (current.status !== 'acknowledged')
        return { view: current, action: null, refused: 'not-acknowledged' };
      return {
        view: {
          ...current,
          status: 'resolved',
          acknowledgedBy: current.acknowledgedBy,
          updatedAt: input.at,
        },
        action: 'resolved',
      };
    case 'escalate': {
      if (current.status !== 'open' && current.status !== 'escalated') return { view: current, action: null };
      const done = current.escalationStep ?? (current.status === 'escalated' ? 1 : 0);
      const step = input.step ?? done + 1;
      if (step !== done + 1) return { view: current, action: null }; // taken already (or out of order)
      return {
        view: {
          ...current,
          status: 'escalated',
          openedAt: current.openedAt ?? current.updatedAt,
          escalationStep: step,
          escalatedTo: input.target ?? current.escalatedTo ?? null,
          updatedAt: input.at,
        },
        action: 'escalated',
      };
    }
  }
}

function fromDetector(current: AlertView | null, e: AlertEvent): LifecycleResult {
  if (e.state === 'raised') {
    if (current) return { view: current, action: null }; // replay of a raise we already have
    return {
      view: {
        alertId: e.alertId,
        patientId: e.patientId,
        kind: e.kind,
        status: 'open',
        severity: e.severity,
        reason: e.reason,
        vitals: e.vitals,
        evidence: e.evidence,
        startedAt: e.startedAt,
        updatedAt: e.at,
        acknowledgedBy: null,
        openedAt: e.at,
        escalationStep: 0,
        escalatedTo: null,
      },
      action: 'raised',
    };
  }
  if (!current || current.status === 'resolved') {
    return { view: current as AlertView, action: null };
  }
  if (e.state === 'updated') {
    // The condition changed shape (another vital joined): new text, same status and severity.
    if (e.at <= current.updatedAt) return { view: current, action: null };
    return {
      view: { ...current, reason: e.reason, vitals: e.vitals, evidence: e.evidence, updatedAt: e.at },
      action: 'updated',
    };
  }
  if (e.state === 'escalated') {
    if (e.severity === current.severity) return { view: current, action: null };
    // A worse episode needs eyes again, even if someone acknowledged the milder one.
    return {
      view: {
        ...current,
        severity: e.severity,
        reason: e.reason,
        vitals: e.vitals,
        evidence: e.evidence,
        status: 'open',
        acknowledgedBy: null,
        updatedAt: e.at,
        // A worse episode starts its own severity's chain from the beginning.
        openedAt: e.at,
        escalationStep: 0,
        escalatedTo: null,
      },
      action: 'escalated',
    };
  }
  return { view: { ...current, status: 'resolved', updatedAt: e.at }, action: 'auto-resolved' };
}

/** Can this user see this patient's alerts? On-call and admin see all; clinicians their teams'. */
export function canSee(
  user: { role: string; teams: readonly string[] },
  patientTeams: readonly string[],
): boolean {
  if (user.role === 'oncall' || user.role === 'admin') return true;
  return patientTeams.some((t) => user.teams.includes(t));
}
