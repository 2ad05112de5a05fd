import type { ClientEvents, ServerMessage } from '@vigil/contracts';

/** What the page tells the nurse about its link to the gateway; only 'live' shows alerts as current. */
export type LinkState = 'signed-out' | 'expired' | 'connecting' | 'lost' | 'live';

/** The gateway's close codes (apps/alerts/src/alerts.constants.ts). */
const UNAUTHORISED = 4401;

export interface ConnectionEvents {
  message(message: ServerMessage): void;
  state(state: LinkState, detail: string): void;
}

/**
 * The dashboard's WebSocket: authenticates with its first message (the token never goes in a
 * URL), reconnects by itself after anything but an authentication failure, and reports each state
 * so the page never shows "no alerts" while it is not receiving them. It keeps the feed id of the
 * last alert/silence it got (or the hello's position) and sends it with `auth` on reconnect: the
 * gateway then replays what came after it (hello `feed: 'replay'`), or sends the complete state
 * (`feed: 'snapshot'`). The cursor goes in the auth message, like the token — never in the URL.
 */
export class Connection {
  private socket: WebSocket | null = null;
  private retry = 0;
  private timer: number | undefined;
  private token: string | null = null;
  /** The last feed id received; null until a hello (and after signing out: the page has no state). */
  private lastEventId: string | null = null;

  constructor(
    private readonly url: string,
    private readonly on: ConnectionEvents,
  ) {}

  open(token: string): void {
    this.token = token;
    this.connect();
  }

  close(state: 'signed-out' | 'expired', detail: string): void {
    this.token = null;
    if (state === 'signed-out') this.lastEventId = null;
    window.clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'signed out');
    this.on.state(state, detail);
  }

  send<K extends keyof ClientEvents>(type: K, data: ClientEvents[K]): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify({ type, data }));
    return true;
  }

  private connect(): void {
    if (this.token === null) return;
    const token = this.token;
    this.on.state(this.retry === 0 ? 'connecting' : 'lost', 'connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      const auth: ClientEvents['auth'] = { token };
      if (this.lastEventId !== null) auth.lastEventId = this.lastEventId;
      socket.send(JSON.stringify({ type: 'auth', data: auth }));
    };
    socket.onmessage = (e: MessageEvent<string>) => {
      const message = JSON.parse(e.data) as ServerMessage;
      if (message.type === 'hello') {
        this.retry = 0;
        this.lastEventId = message.data.lastEventId;
        this.on.state('live', message.data.user);
      }
      // Events come in feed order (replayed ones too): the latest is the cursor.
      if (message.type === 'alert' || message.type === 'silence') this.lastEventId = message.data.eventId;
      this.on.message(message);
    };
    socket.onclose = (e: CloseEvent) => {
      if (this.socket !== socket) return; // replaced or closed on purpose
      this.socket = null;
      if (e.code === UNAUTHORISED) {
        this.close('expired', e.reason || 'unauthorised');
        return;
      }
      this.retry++;
      this.on.state('lost', `closed (${e.code})`);
      const wait = Math.min(5000, 250 * 2 ** Math.min(this.retry, 5));
      this.timer = window.setTimeout(() => this.connect(), wait);
    };
  }
}
