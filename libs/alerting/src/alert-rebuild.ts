import type { AlertAudit, AlertEvent, AlertView } from '@vigil/contracts';
import { applyToAlert, type LifecycleInput } from './alert-lifecycle';

/**
 * Rebuilds every alert's view from the logs, as the gateways had stored it: Kafka `alerts.audit`
 * is the spine (one record per change the gateways applied, in the order they applied it, per
 * patient), `alerts.events` gives the detector's content (reason, vitals, evidence, episode start).
 *
 * Each audit record is turned back into the lifecycle input that produced it: the detector event of
 * that alert at that time for the system's raise/update/escalate/auto-resolve, a person's ack or
 * resolve, an escalation for nobody acknowledging in time. Detector events no audit record speaks
 * for (a gateway died between storing a change and auditing it) are applied after, through the same
 * lifecycle, which ignores whatever is already in the view. Pure: the gateway reads both logs and
 * writes the result to Redis.
 */
export function rebuildAlertViews(
  events: readonly AlertEvent[],
  audits: readonly AlertAudit[],
): Map<string, AlertView> {
  const eventsOf = new Map<string, AlertEvent[]>();
  for (const e of events) {
    const list = eventsOf.get(e.alertId) ?? [];
    list.push(e);
    eventsOf.set(e.alertId, list);
  }
  const views = new Map<string, AlertView>();
  const used = new Set<AlertEvent>();
  const apply = (alertId: string, input: LifecycleInput): void => {
    const { view, action } = applyToAlert(views.get(alertId) ?? null, input);
    if (action !== null) views.set(alertId, view);
  };
  for (const audit of audits) {
    const input = inputFor(audit, eventsOf.get(audit.alertId) ?? [], used);
    if (input) apply(audit.alertId, input);
  }
  for (const e of events) if (!used.has(e)) apply(e.alertId, { kind: 'event', event: e });
  return views;
}

const EVENT_STATE: Partial<Record<AlertAudit['action'], AlertEvent['state']>> = {
  raised: 'raised',
  updated: 'updated',
  escalated: 'escalated',
  'auto-resolved': 'resolved',
};

function inputFor(
  audit: AlertAudit,
  events: readonly AlertEvent[],
  used: Set<AlertEvent>,
): LifecycleInput | null {
  switch (audit.action) {
    case 'acknowledged':
      return { kind: 'ack', by: audit.by, at: audit.at };
    case 'resolved':
      return { kind: 'resolve', by: audit.by, at: audit.at };
    case 'escalated':
    case 'raised':
    case 'updated':
    case 'auto-resolved': {
      const state = EVENT_STATE[audit.action];
      const event = events.find((e) => !used.has(e) && e.state === state && e.at === audit.at);
      if (event) {
        used.add(event);
        return { kind: 'event', event };
      }
      // An escalation no detector event explains: nobody acknowledged in time.
      return audit.action === 'escalated' ? { kind: 'escalate', at: audit.at } : null;
    }
  }
}
