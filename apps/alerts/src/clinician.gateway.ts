import { type IncomingMessage, type Server } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type WebSocket, WebSocketServer } from 'ws';
import { Counter, Gauge } from 'prom-client';
import { type Settings } from '@vigil/config';
import {
  type AlertView,
  type ClientMessage,
  type ServerEvents,
  type ServerMessage,
  type Silence,
  type WindowScore,
} from '@vigil/contracts';
import { AuthError, canSee, originAllowed, type User, tokenExpiresAt, tokenFrom } from '@vigil/alerting';
import { CONFIG, TokenVerifier } from '@vigil/infra';
import { WS_CLOSE, WS_PATH } from './alerts.constants';
import { CareTeamsProjection } from './care-teams.projection';

const connected = new Gauge({ name: 'vigil_alerts_ws_clients', help: 'Connected WebSocket clients' });
const refused = new Counter({
  name: 'vigil_alerts_ws_refused_total',
  help: 'WebSocket handshakes and sockets the gateway refused or closed, by reason',
  labelNames: ['reason'],
});

/** Timers cannot wait longer than 2^31 - 1 ms (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A dropped slow client gets its close frame; if it does not read it, its TCP connection goes. */
const CLOSE_GRACE_MS = 2000;
/** A socket that has not authenticated (header or first message) by then is closed (4401). */
const AUTH_TIMEOUT_MS = 10_000;
const CLIENT_TYPES: ReadonlySet<string> = new Set<ClientMessage['type']>([
  'ack',
  'resolve',
  'silence',
  'unsilence',
  'detail',
]);

interface Client {
  readonly socket: WebSocket;
  /** Null until the socket has authenticated (first message `auth`); nothing is sent to it before. */
  user: User | null;
  /** Epoch ms at which the token stops being valid (undefined: a token without `exp`). */
  expiresAt: number | undefined;
  alive: boolean;
  expiry: NodeJS.Timeout | null;
}

/** A person's message (not `auth`); what it returns is sent back to that socket only. */
export type ClientAction = (
  user: User,
  message: Exclude<ClientMessage, { type: 'auth' }>,
) => Promise<ServerMessage | void>;
export type Hello = (user: User) => Promise<ServerEvents['hello']>;

/**
 * WebSocket edge: authenticates each connection with its JWT — an `Authorization: Bearer` header
 * (services), or the first message `{"type":"auth","data":{"token":…}}` (browsers: never a token in
 * a URL) — then pushes alerts, silences and live vitals of the patients that person may see. Hostile or broken clients cost the gateway a bounded amount:
 * - a browser page on a foreign origin is refused at the handshake (403), see `originAllowed`;
 * - a message larger than VIGIL_ALERTS_WS_MAX_PAYLOAD_BYTES closes that socket (1009) unread;
 * - a client that reads too slowly, so more than VIGIL_ALERTS_WS_MAX_BUFFERED_BYTES waits unsent
 *   for it, is dropped (4408 "client too slow"): memory stays bounded and others keep receiving;
 * - a socket is closed when its token expires (4401 "token expired"), however long it has been open.
 *   Re-authentication is reconnecting with a fresh token (the dashboard asks to sign in again);
 *   the hello message on the new socket carries every open alert, so nothing is missed;
 * - a socket that does not authenticate within 10 s is closed (4401);
 * - a client that misses a heartbeat is dropped.
 */
@Injectable()
export class ClinicianGateway implements OnApplicationShutdown {
  private readonly logger = new Logger(ClinicianGateway.name);
  private server: WebSocketServer | null = null;
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly adapterHost: HttpAdapterHost,
    private readonly careTeams: CareTeamsProjection,
    private readonly tokens: TokenVerifier,
  ) {}

  /** Attaches to the app's HTTP server (same port as REST and the dashboard). */
  start(hello: Hello, onAction: ClientAction): void {
    this.server = new WebSocketServer({
      server: this.adapterHost.httpAdapter.getHttpServer() as Server,
      path: WS_PATH,
      maxPayload: this.config.alertsWsMaxPayloadBytes,
      verifyClient: (
        info: { req: IncomingMessage },
        done: (ok: boolean, code?: number, why?: string) => void,
      ) => {
        const { origin, host } = info.req.headers;
        if (originAllowed(origin, host, this.config.alertsAllowedOrigins)) return done(true);
        refused.inc({ reason: 'origin' });
        done(false, 403, 'origin not allowed');
      },
    });
    this.server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      // Before anything can throw: an oversized frame is reported here ('error'), then the socket closes (1009).
      socket.on('error', (error: Error) => {
        if (error.message.includes('Max payload size exceeded')) refused.inc({ reason: 'oversized' });
        this.logger.warn(`WebSocket client error: ${error.message}`);
      });
      const client: Client = { socket, user: null, expiresAt: undefined, alive: true, expiry: null };
      this.clients.add(client);
      connected.set(this.clients.size);
      socket.on('pong', () => (client.alive = true));
      socket.on('close', () => {
        if (client.expiry) clearTimeout(client.expiry);
        this.clients.delete(client);
        connected.set(this.clients.size);
      });
      socket.on('message', (data: Buffer) => void this.onMessage(client, data.toString('utf8'), onAction));
      // Services send a header; browsers authenticate with their first message. Never from the URL.
      const header = tokenFrom(request.headers.authorization, undefined);
      if (header !== undefined) {
        void this.authenticate(client, header, hello);
      } else {
        this.onFirstMessage.set(client, (token) => void this.authenticate(client, token, hello));
        client.expiry = setTimeout(() => {
          if (client.user === null)
            this.drop(client, WS_CLOSE.unauthorised, 'authenticate first', 'unauthorised');
        }, AUTH_TIMEOUT_MS);
        client.expiry.unref();
      }
    });
    this.heartbeat = setInterval(() => this.sweep(), this.config.alertsHeartbeatMs);
    this.heartbeat.unref();
  }

  private readonly onFirstMessage = new WeakMap<Client, (token: string) => void>();

  /** The one token verifier (local issuer or the hospital's OpenID Connect provider). */
  private async authenticate(client: Client, token: string, hello: Hello): Promise<void> {
    let user: User;
    try {
      user = await this.tokens.verify(token);
      client.expiresAt = tokenExpiresAt(token);
    } catch (error) {
      this.drop(
        client,
        WS_CLOSE.unauthorised,
        error instanceof AuthError ? error.message : 'unauthorised',
        'unauthorised',
      );
      return;
    }
    if (client.expiry) clearTimeout(client.expiry);
    client.user = user;
    this.armExpiry(client);
    void hello(user).then(
      (state) =>
        this.send(client, 'hello', {
          ...state,
          openAlerts: state.openAlerts.filter((a) => this.allowed(user, a.patientId)),
          silences: state.silences.filter((s) => this.allowed(user, s.patientId)),
          patients: state.patients.filter((p) => this.allowed(user, p.patientId)),
        }),
      (error: unknown) => {
        this.logger.warn(`hello failed: ${String(error)}`);
        this.drop(client, 1011, 'try again', 'hello-failed');
      },
    );
  }

  broadcastAlert(view: AlertView): number {
    return this.broadcast(view.patientId, 'alert', view);
  }

  broadcastVitals(score: WindowScore): number {
    return this.broadcast(score.patientId, 'vitals', score);
  }

  broadcastSilence(silence: Silence): number {
    return this.broadcast(silence.patientId, 'silence', silence);
  }

  allowed(user: User, patientId: string): boolean {
    return canSee(user, this.careTeams.teamsOf(patientId));
  }

  private broadcast<K extends keyof ServerEvents>(patientId: string, type: K, data: ServerEvents[K]): number {
    let sent = 0;
    let frame: string | null = null;
    for (const c of this.clients) {
      if (c.user === null || !this.allowed(c.user, patientId)) continue;
      frame ??= JSON.stringify({ type, data });
      this.sendFrame(c, frame);
      sent++;
    }
    return sent;
  }

  private send<K extends keyof ServerEvents>(client: Client, type: K, data: ServerEvents[K]): void {
    this.sendFrame(client, JSON.stringify({ type, data }));
  }

  private sendFrame(client: Client, frame: string): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + frame.length > this.config.alertsWsMaxBufferedBytes) {
      this.drop(client, WS_CLOSE.tooSlow, 'client too slow', 'too-slow');
      return;
    }
    socket.send(frame);
  }

  /** Stops sending to a client at once and closes it; its TCP connection goes if it ignores the close. */
  private drop(client: Client, code: number, reason: string, metric: string): void {
    if (!this.clients.delete(client)) return;
    connected.set(this.clients.size);
    if (client.expiry) clearTimeout(client.expiry);
    refused.inc({ reason: metric });
    this.logger.warn(
      `closing the WebSocket of ${client.user?.sub ?? 'an unauthenticated client'}: ${reason} (${code})`,
    );
    client.socket.close(code, reason);
    setTimeout(() => client.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private armExpiry(client: Client): void {
    if (client.expiresAt === undefined) return;
    const wait = client.expiresAt - Date.now();
    if (wait <= 0) return this.drop(client, WS_CLOSE.unauthorised, 'token expired', 'token-expired');
    client.expiry = setTimeout(() => this.armExpiry(client), Math.min(wait, MAX_TIMER_MS));
    client.expiry.unref();
  }

  private async onMessage(client: Client, raw: string, onAction: ClientAction): Promise<void> {
    try {
      let message: ClientMessage;
      try {
        message = JSON.parse(raw) as ClientMessage;
      } catch {
        throw new Error('expected JSON'); // never echo what a client sent
      }
      if (client.user === null) {
        const first = this.onFirstMessage.get(client);
        this.onFirstMessage.delete(client);
        if (first === undefined) return; // authentication is under way
        if (message?.type !== 'auth' || typeof message.data?.token !== 'string') {
          return this.drop(client, WS_CLOSE.unauthorised, 'authenticate first', 'unauthorised');
        }
        return first(message.data.token);
      }
      if (
        typeof message?.type !== 'string' ||
        !CLIENT_TYPES.has(message.type) ||
        typeof message.data !== 'object' ||
        message.data === null
      ) {
        throw new Error(`expected {"type":"${[...CLIENT_TYPES].join('"|"')}","data":{…}}`);
      }
      // The timer closes the socket at `exp`; a message racing it is refused too.
      if (client.expiresAt !== undefined && Date.now() >= client.expiresAt) {
        return this.drop(client, WS_CLOSE.unauthorised, 'token expired', 'token-expired');
      }
      const reply = await onAction(client.user, message as Exclude<ClientMessage, { type: 'auth' }>);
      if (reply) this.sendFrame(client, JSON.stringify(reply));
    } catch (error) {
      this.send(client, 'error', { message: error instanceof Error ? error.message : String(error) });
    }
  }

  private sweep(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const server = this.server;
    if (!server) return Promise.resolve();
    // Stop accepting first (clients reconnect at once: one accepted now would hold the close open),
    // then close every socket the server has, and cut those that do not answer the close in time.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.clients) if (c.expiry) clearTimeout(c.expiry);
    for (const socket of server.clients) {
      socket.close(1001, 'server shutting down');
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    }
    return closed;
  }
}
