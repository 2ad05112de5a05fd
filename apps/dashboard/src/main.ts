import './style.css';
import type { AlertView, ServerMessage } from '@vigil/contracts';
import { Announcer } from './announcer';
import { Connection, type LinkState } from './connection';
import { clock } from './format';
import { PatientView } from './patient-view';
import { displayName, severityRank, Ward } from './ward';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const TOKEN_KEY = 'vigil.token';

const banner = $('banner');
const signIn = $('sign-in');
const wardSection = $('ward');
const who = $('who');
const freshness = $('freshness');
const signOut = $<HTMLButtonElement>('sign-out');
const announcer = new Announcer($('announcer'), $('polite'), $<HTMLInputElement>('mute'));
const patientView = new PatientView(
  $('patient'),
  $('patient-title'),
  $('charts'),
  $('patient-alerts'),
  $<HTMLOListElement>('patient-history'),
);

/** Every open alert the page shows, by id: what a hello is reconciled against. */
const alerts = new Map<string, AlertView>();
let helloCount = 0;
let silenceMaxMinutes = 60;

const ward = new Ward($<HTMLOListElement>('tiles'), $('summary'), $('empty'), {
  ack: (alertId) => act('ack', alertId),
  resolve: (alertId) => act('resolve', alertId),
  silence: (patientId) => askSilence(patientId),
  unsilence: (patientId) => void connection.send('unsilence', { patientId }),
  open: (patientId) => openPatient(patientId),
});

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const connection = new Connection(wsUrl, { message: onMessage, state: onState });

function act(type: 'ack' | 'resolve', alertId: string): void {
  if (!connection.send(type, { alertId })) flashError('Not connected: the action was not sent.');
}

function flashError(text: string): void {
  $('polite').textContent = text;
  document.body.dataset.lastError = text;
}

/**
 * Banners: anything but 'live' is a full-width banner and the ward is greyed, so a page that is
 * not receiving never reads as "no open alerts".
 */
function onState(state: LinkState, detail: string): void {
  document.body.dataset.link = state;
  document.body.classList.toggle('stale', state !== 'live');
  ward.setLive(state === 'live');
  banner.dataset.state = state;
  banner.hidden = state === 'live';
  const since = lastLive === null ? '' : ` Last live update ${clock(lastLive)}.`;
  switch (state) {
    case 'signed-out':
      banner.textContent = 'Signed out — this screen is NOT showing alerts. Sign in below.';
      break;
    case 'expired':
      banner.textContent = `Your sign-in expired (${detail}) — this screen is NOT showing alerts. Sign in again.`;
      break;
    case 'connecting':
      banner.textContent = 'Connecting to Vigil — alerts are not shown until connected.';
      break;
    case 'lost':
      banner.textContent = `Connection to Vigil lost — reconnecting. Alerts shown may be out of date.${since}`;
      break;
    case 'live':
      lastLive = Date.now();
      freshness.textContent = `last update ${clock(lastLive)}`; // now, not at the next 5 s tick
      break;
  }
  const signedIn = state !== 'signed-out' && state !== 'expired';
  signIn.hidden = signedIn;
  signOut.hidden = !signedIn;
  wardSection.hidden = !signedIn && helloCount === 0;
  if (!signedIn) {
    sessionStorage.removeItem(TOKEN_KEY);
    who.textContent = '';
  }
}
let lastLive: number | null = null;

function onMessage(message: ServerMessage): void {
  const now = Date.now();
  switch (message.type) {
    case 'hello': {
      const first = helloCount++ === 0;
      const h = message.data;
      document.body.dataset.feed = h.feed;
      who.textContent = `${h.user} (${h.role})`;
      ward.noDataMs = h.noDataMs;
      silenceMaxMinutes = h.silenceMaxMinutes;
      for (const card of h.patients) ward.setCard(card);
      wardSection.hidden = false;
      // A replay: the events missed while away follow, in order (an alert raised and resolved
      // meanwhile too); what the page holds stays, and they are applied to it like live ones.
      if (h.feed === 'replay') break;
      ward.clearSilences();
      for (const s of h.silences) ward.setSilence(s);
      // A snapshot, the complete open set: what is not in it any more was resolved while away; what
      // is new arrived while away (announced like a live one); what is unchanged is left alone.
      const open = new Set(h.openAlerts.map((a) => a.alertId));
      for (const [id, a] of alerts) if (!open.has(id)) onAlert({ ...a, status: 'resolved' }, false);
      for (const a of h.openAlerts) onAlert(a, !first);
      break;
    }
    case 'alert':
      onAlert(message.data, true);
      patientView.onAlert(message.data);
      break;
    case 'vitals':
      ward.onVitals(message.data, now);
      patientView.onVitals(message.data);
      lastLive = now;
      break;
    case 'silence':
      ward.setSilence(message.data);
      break;
    case 'detail':
      patientView.show(message.data);
      break;
    case 'error':
      flashError(message.data.message);
      break;
  }
}

function onAlert(view: AlertView, announce: boolean): void {
  const previous = alerts.get(view.alertId);
  if (previous && previous.status === view.status && previous.updatedAt === view.updatedAt) return; // seen
  if (view.status === 'resolved') {
    alerts.delete(view.alertId);
    announcer.clear(view.alertId);
    if (previous) recentlyResolved(view);
  } else alerts.set(view.alertId, view);
  ward.putAlert(view);
  const worse =
    !previous ||
    severityRank(view.severity) > severityRank(previous.severity) ||
    (previous.status !== 'escalated' && view.status === 'escalated') ||
    (previous.status === 'acknowledged' && view.status === 'open');
  if (announce && worse) {
    const p = ward.patient(view.patientId);
    announcer.announce(view, displayName(p), p.silence, p.tile);
  }
}

/** The last few alerts that ended (live, or raised and resolved while the page was away): each once. */
function recentlyResolved(view: AlertView): void {
  const list = $<HTMLOListElement>('recent-resolved');
  if (list.querySelector(`[data-resolved-id="${CSS.escape(view.alertId)}"]`)) return;
  const item = document.createElement('li');
  item.dataset.resolvedId = view.alertId;
  item.textContent = `${clock(view.updatedAt)} · ${displayName(ward.patient(view.patientId))} · ${view.reason}`;
  list.prepend(item);
  while (list.children.length > 20) list.lastElementChild?.remove();
  $('recent').hidden = false;
}

function askSilence(patientId: string): void {
  const dialog = $<HTMLDialogElement>('silence-dialog');
  const minutes = $<HTMLInputElement>('silence-minutes');
  const reason = $<HTMLInputElement>('silence-reason');
  minutes.max = String(silenceMaxMinutes);
  reason.value = '';
  $('silence-who').textContent = displayName(ward.patient(patientId));
  dialog.dataset.patientId = patientId;
  dialog.showModal();
}

$<HTMLDialogElement>('silence-dialog').addEventListener('close', () => {
  const dialog = $<HTMLDialogElement>('silence-dialog');
  if (dialog.returnValue !== 'ok' || !dialog.dataset.patientId) return;
  connection.send('silence', {
    patientId: dialog.dataset.patientId,
    minutes: Number($<HTMLInputElement>('silence-minutes').value),
    reason: $<HTMLInputElement>('silence-reason').value,
  });
});

function openPatient(patientId: string): void {
  wardSection.hidden = true;
  patientView.open(patientId, displayName(ward.patient(patientId)));
  connection.send('detail', { patientId });
}

$('patient-close').addEventListener('click', () => {
  patientView.close();
  wardSection.hidden = false;
});

$<HTMLFormElement>('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $<HTMLTextAreaElement>('token').value.trim();
  if (!token) return;
  announcer.unlock(); // this click is the gesture browsers want before sound
  sessionStorage.setItem(TOKEN_KEY, token);
  $<HTMLTextAreaElement>('token').value = '';
  connection.open(token);
});

signOut.addEventListener('click', () => connection.close('signed-out', 'signed out'));

// Time passes on its own: "no data since", silences ending, the freshness line.
setInterval(() => {
  ward.tick();
  freshness.textContent = lastLive === null ? '' : `last update ${clock(lastLive)}`;
}, 5000);

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) connection.open(saved);
else onState('signed-out', '');

// For tests and the bench: apply pending changes now.
(window as unknown as { vigil: { flush(): void } }).vigil = { flush: () => ward.flush() };
