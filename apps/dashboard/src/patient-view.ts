import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AlertAudit, AlertView, PatientDetail, Vital, WindowScore } from '@vigil/contracts';
import { clock, el, labelOf, unitOf, vitalText } from './format';

/**
 * How far from the patient's usual value still reads as "usual" on the chart: a display band
 * around the usual line (the detectors' own spreads are per patient and not in the window score).
 */
const BAND: Partial<Record<Vital, number>> = { hr: 10, spo2: 2, rr: 3, temp: 0.5, sbp: 15, dbp: 10 };
const CHARTS: readonly Vital[] = ['hr', 'spo2', 'rr', 'temp', 'sbp', 'dbp'];

interface Chart {
  readonly vital: Vital;
  readonly plot: uPlot;
  readonly box: HTMLElement;
}

/**
 * One patient: their vitals over the recent hours the gateway has (one chart per vital, time and
 * unit axes, the patient's usual value with a band around it), each alert's episode shaded, its
 * reason and evidence, and the lifecycle history (who acknowledged, when). Live windows are
 * appended while it is open.
 */
export class PatientView {
  patientId: string | null = null;
  private vitals: WindowScore[] = [];
  private alerts: AlertView[] = [];
  private charts: Chart[] = [];

  constructor(
    private readonly section: HTMLElement,
    private readonly title: HTMLElement,
    private readonly chartsBox: HTMLElement,
    private readonly alertsBox: HTMLElement,
    private readonly historyList: HTMLOListElement,
  ) {}

  open(patientId: string, title: string): void {
    this.close();
    this.patientId = patientId;
    this.title.textContent = title;
    this.section.hidden = false;
    this.section.dataset.loaded = 'false';
  }

  close(): void {
    for (const c of this.charts) c.plot.destroy();
    this.charts = [];
    this.chartsBox.replaceChildren();
    this.alertsBox.replaceChildren();
    this.historyList.replaceChildren();
    this.section.hidden = true;
    this.patientId = null;
    this.vitals = [];
  }

  show(detail: PatientDetail): void {
    if (detail.patientId !== this.patientId) return;
    this.vitals = [...detail.vitals];
    this.alerts = [...detail.alerts];
    this.renderAlerts();
    this.renderHistory(detail.history);
    for (const vital of CHARTS) {
      if (!this.vitals.some((w) => w.latest[vital] !== undefined)) continue;
      const box = el('figure', { class: 'chart', 'data-vital': vital });
      box.append(el('h4', {}, `${labelOf(vital)} (${unitOf(vital)})`));
      box.append(
        el(
          'figcaption',
          { class: 'muted' },
          `blue: value · dashed green: the patient's usual · green band: usual ± ${BAND[vital] ?? 0} · red: alert episodes`,
        ),
      );
      this.chartsBox.append(box);
      const plot = new uPlot(this.options(vital, Math.max(320, box.clientWidth - 8)), this.data(vital), box);
      this.charts.push({ vital, plot, box });
      box.dataset.points = String(this.vitals.length);
    }
    if (this.charts.length === 0)
      this.chartsBox.append(el('p', {}, 'No vitals received for this patient yet.'));
    this.section.dataset.loaded = 'true';
  }

  onVitals(score: WindowScore): void {
    if (score.patientId !== this.patientId || this.section.dataset.loaded !== 'true') return;
    this.vitals.push(score);
    for (const c of this.charts) {
      c.plot.setData(this.data(c.vital));
      c.box.dataset.points = String(this.vitals.length);
    }
  }

  onAlert(view: AlertView): void {
    if (view.patientId !== this.patientId) return;
    this.alerts = [view, ...this.alerts.filter((a) => a.alertId !== view.alertId)];
    this.renderAlerts();
    for (const c of this.charts) c.plot.redraw(false);
  }

  private data(vital: Vital): uPlot.AlignedData {
    const band = BAND[vital] ?? 0;
    const xs: number[] = [];
    const ys: (number | null)[] = [];
    const usual: (number | null)[] = [];
    const lo: (number | null)[] = [];
    const hi: (number | null)[] = [];
    for (const w of this.vitals) {
      xs.push(w.at / 1000);
      ys.push(w.latest[vital] ?? null);
      const u = w.usual[vital];
      usual.push(u ?? null);
      lo.push(u === undefined ? null : u - band);
      hi.push(u === undefined ? null : u + band);
    }
    return [xs, ys, usual, lo, hi];
  }

  private options(vital: Vital, width: number): uPlot.Options {
    const band = BAND[vital] ?? 0;
    return {
      width,
      height: 200,
      scales: { x: { time: true } },
      legend: { show: false },
      axes: [{ label: 'time' }, { label: unitOf(vital), size: 60 }],
      series: [
        {},
        { label: labelOf(vital), stroke: '#0b57d0', width: 2, spanGaps: false },
        { label: 'usual', stroke: '#1b6e3a', dash: [6, 4], width: 1, points: { show: false } },
        { label: `usual − ${band}`, stroke: 'transparent', points: { show: false } },
        { label: `usual + ${band}`, stroke: 'transparent', points: { show: false } },
      ],
      bands: [{ series: [4, 3], fill: 'rgba(27,110,58,0.12)' }],
      hooks: {
        // The episodes of this patient's alerts, shaded behind the lines.
        drawClear: [
          (u: uPlot) => {
            const { ctx, bbox } = u;
            for (const a of this.alerts) {
              const from = u.valToPos(a.startedAt / 1000, 'x', true);
              const end = a.status === 'resolved' ? a.updatedAt : Math.max(a.updatedAt, lastAt(this.vitals));
              const to = u.valToPos(end / 1000, 'x', true);
              const left = Math.max(bbox.left, Math.min(from, to));
              const right = Math.min(bbox.left + bbox.width, Math.max(from, to, from + 2));
              if (right <= left) continue;
              ctx.fillStyle = a.severity === 'high' ? 'rgba(176,0,32,0.15)' : 'rgba(179,89,0,0.15)';
              ctx.fillRect(left, bbox.top, right - left, bbox.height);
            }
          },
        ],
      },
    };
  }

  private renderAlerts(): void {
    this.alertsBox.replaceChildren();
    if (this.alerts.length === 0) {
      this.alertsBox.append(el('p', { class: 'muted' }, 'No alerts for this patient on this gateway.'));
      return;
    }
    for (const a of this.alerts) {
      const box = el('article', { class: 'patient-alert', 'data-alert-id': a.alertId });
      box.append(
        el('h3', {}, `${a.severity.toUpperCase()} ${a.kind} alert — ${a.status}`),
        el('p', { class: 'reason' }, a.reason),
        el(
          'p',
          { class: 'muted' },
          `episode from ${clock(a.startedAt)}${a.status === 'resolved' ? ` to ${clock(a.updatedAt)}` : ''}` +
            (a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ''),
        ),
      );
      const table = el('table', { class: 'evidence' });
      const head = el('tr');
      for (const h of ['evidence', 'vital', 'value', 'usual', 'score']) head.append(el('th', {}, h));
      table.append(head);
      for (const e of a.evidence) {
        const row = el('tr');
        row.append(
          el('td', {}, e.source),
          el('td', {}, e.vital ? labelOf(e.vital) : '—'),
          el(
            'td',
            {},
            e.vital && e.value !== null ? `${vitalText(e.vital, e.value)} ${unitOf(e.vital)}` : '—',
          ),
          el(
            'td',
            {},
            e.vital && e.usual !== null ? `${vitalText(e.vital, e.usual)} ${unitOf(e.vital)}` : '—',
          ),
          el('td', {}, e.score.toFixed(2)),
        );
        table.append(row);
      }
      box.append(table);
      this.alertsBox.append(box);
    }
  }

  private renderHistory(history: readonly AlertAudit[]): void {
    this.historyList.replaceChildren(
      ...history.map((h) =>
        el(
          'li',
          { 'data-action': h.action },
          `${clock(h.at)} — ${h.action} (${h.severity}) by ${h.by}${h.note ? `: ${h.note}` : ''}`,
        ),
      ),
    );
  }
}

const lastAt = (vitals: readonly WindowScore[]): number => (vitals.length ? vitals[vitals.length - 1].at : 0);
