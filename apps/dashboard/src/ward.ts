import type { AlertView, PatientCard, Severity, Silence, Vital, WindowScore } from '@vigil/contracts';
import { silenceActive } from '@vigil/alerting/silence';
import { clock, el, setData, setText, shortClock, vitalText } from './format';

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };
export const severityRank = (s: Severity): number => RANK[s];

export type TileStatus = 'alerting' | 'normal' | 'no-data';

/** What the ward knows about one patient, and the tile that shows it (built once, updated in place). */
export interface PatientState {
  readonly id: string;
  card: PatientCard;
  latest: WindowScore | null;
  /** Browser clock of the latest data (from hello's card, then from live vitals). */
  lastSeenAt: number | null;
  readonly alerts: Map<string, AlertView>;
  silence: Silence | undefined;
  sortKey: string;
  readonly tile: HTMLLIElement;
  readonly parts: {
    state: HTMLElement;
    name: HTMLButtonElement;
    vitals: HTMLElement;
    seen: HTMLElement;
    silence: HTMLElement;
    silenceText: HTMLElement;
    silenceButton: HTMLButtonElement;
    alerts: HTMLElement;
  };
  readonly rows: Map<string, HTMLElement>;
}

export interface WardActions {
  ack(alertId: string): void;
  resolve(alertId: string): void;
  silence(patientId: string): void;
  unsilence(patientId: string): void;
  open(patientId: string): void;
}

export const displayName = (p: PatientState): string =>
  [p.card.bed ? `Bed ${p.card.bed}` : null, p.card.displayName ?? p.id].filter(Boolean).join(' · ');

const SHOWN: readonly Vital[] = ['hr', 'spo2', 'rr', 'temp'];
const LABEL: Partial<Record<Vital, string>> = { hr: 'HR', spo2: 'SpO2', rr: 'RR', temp: 'T' };

/**
 * The ward: one tile per patient, alerting patients first (highest severity, then newest), then
 * those whose device went quiet, then the rest by bed. Each change marks its patient dirty; one
 * animation frame applies them (text and attributes that changed, rows added or removed, tiles
 * moved only when their place changes): no full re-render, so 500 patients stay cheap.
 */
export class Ward {
  readonly patients = new Map<string, PatientState>();
  private readonly dirty = new Set<PatientState>();
  private reorder = false;
  private frame = 0;
  noDataMs = 120_000;
  /** Only a live page may say "no open alerts": otherwise it does not know. */
  private live = false;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly summary: HTMLElement,
    private readonly empty: HTMLElement,
    private readonly actions: WardActions,
  ) {
    list.addEventListener('click', (e) => this.onClick(e));
  }

  patient(id: string): PatientState {
    let p = this.patients.get(id);
    if (!p) {
      p = this.create({ patientId: id, displayName: null, bed: null, lastSeenAt: null });
      this.patients.set(id, p);
      this.reorder = true;
    }
    return p;
  }

  /** A card from hello: display fields, and when the gateway last had data (same clock, the ward's). */
  setCard(card: PatientCard): void {
    const p = this.patient(card.patientId);
    p.card = card;
    if (card.lastSeenAt !== null) p.lastSeenAt = Math.max(p.lastSeenAt ?? 0, card.lastSeenAt);
    this.touch(p);
  }

  onVitals(score: WindowScore, now: number): void {
    const p = this.patient(score.patientId);
    p.latest = score;
    p.lastSeenAt = now;
    this.touch(p);
  }

  putAlert(view: AlertView): void {
    const p = this.patient(view.patientId);
    if (view.status === 'resolved') p.alerts.delete(view.alertId);
    else p.alerts.set(view.alertId, view);
    this.touch(p);
  }

  setSilence(silence: Silence): void {
    const p = this.patient(silence.patientId);
    p.silence = silence;
    this.touch(p);
  }

  clearSilences(): void {
    for (const p of this.patients.values())
      if (p.silence) {
        p.silence = undefined;
        this.touch(p);
      }
  }

  setLive(live: boolean): void {
    this.live = live;
    this.renderSummary(Date.now());
  }

  /** Time passes: "no data" and silences' ends are re-evaluated. */
  tick(): void {
    for (const p of this.patients.values()) this.touch(p);
  }

  status(p: PatientState, now: number): TileStatus {
    if (p.lastSeenAt === null || now - p.lastSeenAt > this.noDataMs) return 'no-data';
    return p.alerts.size > 0 ? 'alerting' : 'normal';
  }

  private touch(p: PatientState): void {
    this.dirty.add(p);
    this.frame ||= requestAnimationFrame(() => this.flush());
  }

  /** Applies pending changes now (the frame callback; tests and the bench wait for it). */
  flush(): void {
    this.frame = 0;
    const now = Date.now();
    for (const p of this.dirty) this.render(p, now);
    this.dirty.clear();
    if (this.reorder) this.place();
    this.reorder = false;
    this.renderSummary(now);
  }

  private topAlert(p: PatientState): AlertView | null {
    let top: AlertView | null = null;
    for (const a of p.alerts.values())
      if (
        top === null ||
        RANK[a.severity] > RANK[top.severity] ||
        (RANK[a.severity] === RANK[top.severity] && a.updatedAt > top.updatedAt)
      )
        top = a;
    return top;
  }

  private render(p: PatientState, now: number): void {
    const status = this.status(p, now);
    const top = this.topAlert(p);
    const { parts, tile } = p;
    setData(tile, 'status', status);
    setData(tile, 'severity', top?.severity ?? 'none');
    setText(parts.name, displayName(p));
    setText(parts.state, top ? top.severity.toUpperCase() : status === 'no-data' ? 'NO DATA' : 'normal');
    const v = p.latest?.latest;
    setText(
      parts.vitals,
      v
        ? [
            ...SHOWN.map((k) => `${LABEL[k]} ${vitalText(k, v[k])}`),
            `BP ${vitalText('sbp', v.sbp)}/${vitalText('dbp', v.dbp)}`,
          ].join(' · ')
        : 'no vitals yet',
    );
    setText(
      parts.seen,
      p.lastSeenAt === null
        ? 'no data yet'
        : status === 'no-data'
          ? `no data since ${shortClock(p.lastSeenAt)}`
          : `updated ${clock(p.lastSeenAt)}`,
    );
    const silenced = silenceActive(p.silence, now) ? p.silence : undefined;
    parts.silence.hidden = silenced === undefined;
    if (silenced)
      setText(
        parts.silenceText,
        `Silenced by ${silenced.by} until ${shortClock(silenced.until)}: ${silenced.reason} (up to ${silenced.severity})`,
      );
    parts.silenceButton.hidden = silenced !== undefined || p.alerts.size === 0;
    this.renderRows(p);

    const key = [
      status === 'alerting' ? 0 : status === 'no-data' ? 1 : 2,
      9 - (top ? RANK[top.severity] : 0),
      String(9e15 - (top?.startedAt ?? 0)).padStart(16, '0'),
      p.card.bed?.padStart(8, '0') ?? '~',
      p.card.displayName ?? p.id,
    ].join('|');
    if (key !== p.sortKey) {
      p.sortKey = key;
      this.reorder = true;
    }
  }

  private renderRows(p: PatientState): void {
    for (const [id, row] of p.rows)
      if (!p.alerts.has(id)) {
        row.remove();
        p.rows.delete(id);
      }
    for (const a of p.alerts.values()) {
      let row = p.rows.get(a.alertId);
      if (!row) {
        row = el('div', { class: 'alert-row', 'data-alert-id': a.alertId });
        row.append(
          el('span', { class: 'sev' }),
          document.createTextNode(' '),
          el('span', { class: 'reason' }),
          el('div', { class: 'meta muted' }),
          el('button', { type: 'button', 'data-action': 'ack' }, 'Acknowledge'),
          el('button', { type: 'button', 'data-action': 'resolve' }, 'Resolve'),
        );
        p.rows.set(a.alertId, row);
        p.parts.alerts.append(row);
      }
      setData(row, 'status', a.status);
      setData(row, 'severity', a.severity);
      const [sev, , reason, meta, ack, resolve] = row.childNodes as unknown as [
        HTMLElement,
        Text,
        HTMLElement,
        HTMLElement,
        HTMLButtonElement,
        HTMLButtonElement,
      ];
      setText(sev, `${a.severity}${a.kind === 'technical' ? ' · technical' : ''}`);
      setText(reason, a.reason);
      setText(
        meta,
        `${a.status}${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''} · since ${shortClock(a.startedAt)}`,
      );
      ack.hidden = a.status === 'acknowledged';
      resolve.hidden = a.status !== 'acknowledged';
    }
  }

  private place(): void {
    const sorted = [...this.patients.values()].sort((a, b) =>
      a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0,
    );
    let cursor: ChildNode | null = this.list.firstChild;
    for (const p of sorted) {
      if (cursor === p.tile) {
        cursor = cursor.nextSibling;
        continue;
      }
      this.list.insertBefore(p.tile, cursor); // moves only what is out of place
    }
  }

  private renderSummary(now: number): void {
    let alerting = 0;
    let quiet = 0;
    let alerts = 0;
    for (const p of this.patients.values()) {
      const s = this.status(p, now);
      if (p.alerts.size > 0) alerting++;
      if (s === 'no-data') quiet++;
      alerts += p.alerts.size;
    }
    setText(
      this.summary,
      `${this.patients.size} patients · ${alerts} open alerts on ${alerting} · ${quiet} without data`,
    );
    this.empty.hidden = alerts > 0 || !this.live;
    setText(this.empty, `No open alerts (live, ${clock(now)}).`);
  }

  private create(card: PatientCard): PatientState {
    const tile = el('li', { class: 'tile', 'data-patient-id': card.patientId, 'data-status': 'no-data' });
    const state = el('span', { class: 'state' });
    const name = el('button', { type: 'button', class: 'name', 'data-action': 'open' });
    const vitals = el('div', { class: 'vitals' });
    const seen = el('div', { class: 'seen muted' });
    const silence = el('div', { class: 'silence' });
    const silenceText = el('span', { class: 'silenced' });
    const lift = el('button', { type: 'button', 'data-action': 'unsilence' }, 'End silence');
    silence.append(silenceText, lift);
    silence.hidden = true;
    const silenceButton = el('button', { type: 'button', 'data-action': 'silence' }, 'Silence…');
    const alerts = el('div', { class: 'alerts' });
    tile.append(state, name, vitals, seen, silence, alerts, silenceButton);
    this.list.append(tile);
    return {
      id: card.patientId,
      card,
      latest: null,
      lastSeenAt: null,
      alerts: new Map(),
      silence: undefined,
      sortKey: '',
      tile,
      parts: { state, name, vitals, seen, silence, silenceText, silenceButton, alerts },
      rows: new Map(),
    };
  }

  private onClick(e: MouseEvent): void {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    const tile = button?.closest<HTMLElement>('.tile');
    if (!button || !tile) return;
    const patientId = tile.dataset.patientId as string;
    const alertId = button.closest<HTMLElement>('.alert-row')?.dataset.alertId;
    switch (button.dataset.action ?? '') {
      case 'ack':
        if (alertId) this.actions.ack(alertId);
        break;
      case 'resolve':
        if (alertId) this.actions.resolve(alertId);
        break;
      case 'silence':
        this.actions.silence(patientId);
        break;
      case 'unsilence':
        this.actions.unsilence(patientId);
        break;
      case 'open':
        this.actions.open(patientId);
        break;
      default:
        break;
    }
  }
}
