import WebSocket from 'ws';
import type { AlertView, ServerMessage } from '@vigil/contracts';

/** One change of an alert as a clinician sees it: its id and the state it was pushed in. */
export const alertFingerprint = (a: AlertView): string =>
  `${a.alertId}|${a.status}|${a.severity}|${a.updatedAt}`;

export interface Delivery {
  readonly alert: AlertView;
  readonly receivedAt: number;
}

/**
 * A clinician's WebSocket client that, like the dashboard, reconnects on its own when the gateway
 * goes away, and records every alert pushed to it (and the open alerts each `hello` brought), so
 * the benchmark can time deliveries and the fault suite can count them: each change exactly once.
 */
export class ClinicianClient {
  readonly deliveries: Delivery[] = [];
  /** Fingerprint → times pushed (a value above 1 is a duplicate delivery). */
  readonly pushes = new Map<string, number>();
  /** Latest view of each alert this client knows, from pushes and from hello snapshots (last received wins). */
  readonly known = new Map<string, AlertView>();
  hellos = 0;
  lastHelloAt = 0;
  private socket: WebSocket | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly url: string,
    /** Sent as a bearer header (the gateway takes no token in URLs). */
    private readonly token: string,
    private readonly onAlert?: (delivery: Delivery) => void,
  ) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get duplicates(): number {
    let n = 0;
    for (const count of this.pushes.values()) n += count - 1;
    return n;
  }

  open(): void {
    if (this.closed) return;
    const socket = new WebSocket(this.url, { headers: { authorization: `Bearer ${this.token}` } });
    this.socket = socket;
    socket.on('message', (data: Buffer) => this.receive(JSON.parse(data.toString('utf8')) as ServerMessage));
    socket.on('error', () => undefined); // 'close' follows and reconnects
    socket.on('close', () => {
      if (this.closed || this.socket !== socket) return;
      this.retry = setTimeout(() => this.open(), 500);
    });
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.close();
  }

  private receive(message: ServerMessage): void {
    const now = Date.now();
    if (message.type === 'hello') {
      this.hellos++;
      this.lastHelloAt = now;
      for (const a of message.data.openAlerts) this.remember(a);
    } else if (message.type === 'alert') {
      const view = message.data;
      const key = alertFingerprint(view);
      this.pushes.set(key, (this.pushes.get(key) ?? 0) + 1);
      this.remember(view);
      const delivery = { alert: view, receivedAt: now };
      this.deliveries.push(delivery);
      this.onAlert?.(delivery);
    }
  }

  /**
   * The latest view is the one received last: one gateway sends an alert's changes in order, and
   * `updatedAt` mixes clocks (a detector's resolve carries measurement time, an escalation the
   * gateway's wall clock), so it cannot order them.
   */
  private remember(view: AlertView): void {
    this.known.set(view.alertId, view);
  }
}
