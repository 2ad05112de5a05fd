import { type IncomingMessage } from 'node:http';
import { Inject, Logger, type OnApplicationShutdown, UseFilters, UseGuards } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type WebSocket } from 'ws';
import { type Settings } from '@vigil/config';
import { Counter } from 'prom-client';
import {
  type ClientEvents,
  type ClientMessage,
  type ServerEvents,
  type ServerMessage,
  type WindowScore,
} from '@vigil/contracts';
import {
  AuthError,
  canSee,
  decideResume,
  isEventId,
  isNewFor,
  REPLAY_LIMIT,
  type ResumeDecision,
  type User,
  tokenExpiresAt,
  tokenFrom,
} from '@vigil/alerting';
import { CONFIG, JwtGuard, setSocketAuth, type SocketAuth, TokenVerifier } from '@vigil/infra';
import { WS_CLOSE, WS_PATH } from './alerts.constants';
import { CareTeamsProjection } from './care-teams.projection';
import { EventFeed, type FeedEntry } from './event-feed';
import { ClientErrorFilter, ClientMessageError, WS_CLIENT_ERROR } from './vigil-ws.adapter';
import { wsConnected as connected, wsRefused as refused } from './ws.metrics';

/** Timers cannot wait longer than 2^31 - 1 ms (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A dropped slow client gets its close frame; if it does not read it, its TCP connection goes. */
const CLOSE_GRACE_MS = 2000;
/** A socket that has not authenticated (header or first message) by then is closed (4401). */
const AUTH_TIMEOUT_MS = 10_000;

const pushed = new Counter({
  name: 'vigil_alerts_pushed_total',
  help: 'Alert updates pushed to clinicians',
  labelNames: ['status'],
});

interface Client {
  readonly socket: WebSocket;
  /** Null until the socket has authenticated (header or first message `auth`); nothing is sent to it before. */
  user: User | null;
  /** Whether it began authenticating (its header, or an `auth` message): a second `auth` is refused. */
  authenticating: boolean;
  /** Epoch ms at which the token stops being valid (undefined: a token without `exp`). */
  expiresAt: number | undefined;
  alive: boolean;
  expiry: NodeJS.Timeout | null;
  /** The newest feed id this socket was sent (or its hello stood at): live entries up to it are not sent again. */
  cursor: string | null;
  /** While it is greeted (hello, replay): the live entries for it, sent after (bounded: REPLAY_LIMIT). */
  pending: FeedEntry[] | null;
}

type ActionMessage = Exclude<ClientMessage, { type: 'auth' }>;
/** A person's message (not `auth`); what it returns is sent back to that socket only. */
export type ClientAction = (user: User, message: ActionMessage) => Promise<ServerMessage | void>;
/** The state a hello carries (the gateway adds where in the feed it stands). */
export type Hello = (user: User) => Promise<Omit<ServerEvents['hello'], 'feed' | 'reason' | 'lastEventId'>>;

/**
 * WebSocket edge, a Nest gateway on VigilWsAdapter (registered by AlertsModule.configureApp):
 * authenticates each connection with its JWT — an `Authorization: Bearer` header (services), or the
 * first message `{"type":"auth","data":{"token":…}}` (browsers: never a token in a URL) — then pushes
 * alerts, silences and live vitals of the patients that person may see. Every other message type has
 * a `@SubscribeMessage` handler behind the shared JwtGuard (the user the socket authenticated as).
 * Hostile or broken clients cost the gateway a bounded amount:
 * - a browser page on a foreign origin is refused at the handshake (403), see `originAllowed`;
 * - a message larger than VIGIL_ALERTS_WS_MAX_PAYLOAD_BYTES closes that socket (1009) unread;
 * - a client that reads too slowly, so more than VIGIL_ALERTS_WS_MAX_BUFFERED_BYTES waits unsent
 *   for it, is dropped (4408 "client too slow"): memory stays bounded and others keep receiving;
 * - a socket is closed when its token expires (4401 "token expired"), however long it has been open.
 *   Re-authentication is reconnecting with a fresh token (the dashboard asks to sign in again);
 *   the new socket resumes after the last event id it sent, or gets every open alert (below);
 * - a socket that does not authenticate within 10 s is closed (4401);
 * - a client that misses a heartbeat is dropped;
 * - a message that is not JSON or of no known type gets an `error` reply (never echoing it).
 *
 * Alerts and silences reach sockets from the event feed (EventFeed: one Redis stream, the same ids
 * on every gateway, in one order), each with its `eventId`. A browser's `auth` may carry the last id
 * it got (`lastEventId`): when the feed can tell exactly what came after it (decideResume) the
 * hello says `feed: 'replay'` and those events follow, filtered by what the person may see, then
 * live ones; otherwise `feed: 'snapshot'` with the reason, and the hello's open alerts are the state.
 * The socket is registered for live entries BEFORE the feed is read, and those it gets meanwhile
 * are held and sent only when after the last replayed id: nothing between is missed, nothing twice.
 */
@WebSocketGateway({ path: WS_PATH })
@UseFilters(new ClientErrorFilter())
export class ClinicianGateway implements OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  private readonly logger = new Logger(ClinicianGateway.name);
  private readonly clients = new Map<WebSocket, Client>();
  private heartbeat: NodeJS.Timeout | null = null;
  private hello: Hello | null = null;
  private onAction: ClientAction | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly careTeams: CareTeamsProjection,
    private readonly tokens: TokenVerifier,
    private readonly feed: EventFeed,
  ) {}

  /**
   * The callbacks (the app's services), the feed's tail and the heartbeat, at bootstrap: the server
   * accepts once the app listens, after this.
   */
  async start(hello: Hello, onAction: ClientAction): Promise<void> {
    this.hello = hello;
    this.onAction = onAction;
    await this.feed.tail((entry) => this.deliver(entry));
    this.heartbeat = setInterval(() => this.sweep(), this.config.alertsHeartbeatMs);
    this.heartbeat.unref();
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    // Before anything can throw: an oversized frame is reported here ('error'), then the socket closes (1009).
    socket.on('error', (error: Error) => {
      if (error.message.includes('Max payload size exceeded')) refused.inc({ reason: 'oversized' });
      this.logger.warn(`WebSocket client error: ${error.message}`);
    });
    const client: Client = {
      socket,
      user: null,
      authenticating: false,
      expiresAt: undefined,
      alive: true,
      expiry: null,
      cursor: null,
      pending: null,
    };
    this.clients.set(socket, client);
    connected.set(this.clients.size);
    socket.on('pong', () => (client.alive = true));
    socket.on(WS_CLIENT_ERROR, (error: unknown) => this.onClientError(client, error));
    // Services send a header; browsers authenticate with their first message. Never from the URL.
    const header = tokenFrom(request.headers.authorization, undefined);
    if (header !== undefined) return this.authenticate(client, header);
    client.expiry = setTimeout(() => {
      if (client.user === null)
        this.drop(client, WS_CLOSE.unauthorised, 'authenticate first', 'unauthorised');
    }, AUTH_TIMEOUT_MS);
    client.expiry.unref();
  }

  handleDisconnect(socket: WebSocket): void {
    const client = this.clients.get(socket);
    if (client?.expiry) clearTimeout(client.expiry);
    this.clients.delete(socket);
    connected.set(this.clients.size);
  }

  /** A browser's first message. Not behind the JwtGuard: it is what the guard later relies on. */
  @SubscribeMessage('auth')
  onAuth(@ConnectedSocket() socket: WebSocket, @MessageBody() data: Partial<ClientEvents['auth']>): void {
    const client = this.clients.get(socket);
    if (!client) return;
    if (client.authenticating) throw new Error('already authenticated');
    if (typeof data.token !== 'string')
      return this.drop(client, WS_CLOSE.unauthorised, 'authenticate first', 'unauthorised');
    this.authenticate(client, data.token, data.lastEventId);
  }

  @UseGuards(JwtGuard)
  @SubscribeMessage('ack')
  onAck(@ConnectedSocket() socket: WebSocket, @MessageBody() data: ClientEvents['ack']): Promise<void> {
    return this.act(socket, { type: 'ack', data });
  }

  @UseGuards(JwtGuard)
  @SubscribeMessage('resolve')
  onResolve(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() data: ClientEvents['resolve'],
  ): Promise<void> {
    return this.act(socket, { type: 'resolve', data });
  }

  @UseGuards(JwtGuard)
  @SubscribeMessage('silence')
  onSilence(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() data: ClientEvents['silence'],
  ): Promise<void> {
    return this.act(socket, { type: 'silence', data });
  }

  @UseGuards(JwtGuard)
  @SubscribeMessage('unsilence')
  onUnsilence(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() data: ClientEvents['unsilence'],
  ): Promise<void> {
    return this.act(socket, { type: 'unsilence', data });
  }

  @UseGuards(JwtGuard)
  @SubscribeMessage('detail')
  onDetail(@ConnectedSocket() socket: WebSocket, @MessageBody() data: ClientEvents['detail']): Promise<void> {
    return this.act(socket, { type: 'detail', data });
  }

  /** The guard let the message through: the app's action, its reply to this socket only. */
  private async act(socket: WebSocket, message: ActionMessage): Promise<void> {
    const client = this.clients.get(socket);
    if (!client?.user || !this.onAction) return;
    const reply = await this.onAction(client.user, message);
    if (reply) this.sendFrame(client, JSON.stringify(reply));
  }

  /** What the adapter or a handler's filter reported: an `error` reply (never echoing input), or a close. */
  private onClientError(client: Client, error: unknown): void {
    if (error instanceof ClientMessageError && error.kind === 'type' && !client.authenticating)
      return this.drop(client, WS_CLOSE.unauthorised, 'authenticate first', 'unauthorised');
    const status = (error as { getStatus?: () => number }).getStatus?.();
    const message = error instanceof Error ? error.message : String(error);
    if (status === 401) {
      const metric = message === 'token expired' ? 'token-expired' : 'unauthorised';
      return this.drop(client, WS_CLOSE.unauthorised, message, metric);
    }
    this.send(client, 'error', { message });
  }

  /** The one token verifier (local issuer or the hospital's OpenID Connect provider). */
  private authenticate(client: Client, token: string, lastEventId?: unknown): void {
    client.authenticating = true;
    const verified: Promise<SocketAuth> = this.tokens
      .verify(token)
      .then((user) => ({ user, expiresAt: tokenExpiresAt(token) }));
    setSocketAuth(client.socket, verified); // what the JwtGuard of the message handlers reads
    void verified.then(
      ({ user, expiresAt }) => {
        if (client.expiry) clearTimeout(client.expiry);
        client.user = user;
        client.expiresAt = expiresAt;
        this.armExpiry(client);
        client.pending = []; // registered for live entries before the feed is read (greet)
        this.greet(client, user, lastEventId).catch((error: unknown) => {
          this.logger.warn(`hello failed: ${String(error)}`);
          this.drop(client, 1011, 'try again', 'hello-failed');
        });
      },
      (error: unknown) =>
        this.drop(
          client,
          WS_CLOSE.unauthorised,
          error instanceof AuthError ? error.message : 'unauthorised',
          'unauthorised',
        ),
    );
  }

  /**
   * Hello, then the replay (or none: a snapshot), then what the tail held for it meanwhile; the
   * client is live from then on. The feed is read before the state, so a snapshot is at least as
   * new as the position it names (a live entry also in it changes nothing the second time).
   */
  private async greet(client: Client, user: User, lastEventId: unknown): Promise<void> {
    if (!this.hello) throw new Error('the gateway is not started');
    const cursor = typeof lastEventId === 'string' ? lastEventId : undefined;
    let decision: ResumeDecision = decideResume(cursor, null);
    let replay: readonly FeedEntry[] = [];
    let at: string | null;
    if (cursor !== undefined && isEventId(cursor)) {
      const read = await this.feed.readAfter(cursor, REPLAY_LIMIT + 1);
      decision = decideResume(cursor, read.position);
      if (decision.feed === 'replay') replay = read.entries;
      at = decision.feed === 'replay' ? (replay.at(-1)?.id ?? cursor) : read.lastId;
    } else at = await this.feed.lastId();
    const state = await this.hello(user);
    this.send(client, 'hello', {
      ...state,
      openAlerts: state.openAlerts.filter((a) => this.allowed(user, a.patientId)),
      silences: state.silences.filter((s) => this.allowed(user, s.patientId)),
      patients: state.patients.filter((p) => this.allowed(user, p.patientId)),
      ...decision,
      lastEventId: at,
    });
    for (const entry of replay) if (this.allowed(user, entry.patientId)) this.sendEntry(client, entry);
    client.cursor = at;
    const held = client.pending ?? [];
    client.pending = null;
    for (const entry of held) this.deliverTo(client, entry);
  }

  /** A new feed entry from the tail, in stream order: to each socket that may see it and has not had it. */
  private deliver(entry: FeedEntry): void {
    for (const c of this.clients.values()) {
      if (c.user === null) continue;
      if (c.pending) {
        if (c.pending.length >= REPLAY_LIMIT) this.drop(c, WS_CLOSE.tooSlow, 'client too slow', 'too-slow');
        else c.pending.push(entry);
        continue;
      }
      this.deliverTo(c, entry);
    }
    if (entry.type === 'alert') pushed.inc({ status: entry.status ?? 'unknown' });
  }

  private deliverTo(client: Client, entry: FeedEntry): boolean {
    if (client.user === null || !isNewFor(client.cursor, entry.id)) return false;
    if (!this.allowed(client.user, entry.patientId)) return false;
    this.sendEntry(client, entry);
    return true;
  }

  private sendEntry(client: Client, entry: FeedEntry): void {
    client.cursor = entry.id;
    this.sendFrame(client, entry.frame);
  }

  /** How many of this gateway's sockets may see the patient (an alert's new version goes to them). */
  audience(patientId: string): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.user !== null && this.allowed(c.user, patientId)) n++;
    return n;
  }

  broadcastVitals(score: WindowScore): number {
    return this.broadcast(score.patientId, 'vitals', score);
  }

  allowed(user: User, patientId: string): boolean {
    return canSee(user, this.careTeams.teamsOf(patientId));
  }

  private broadcast<K extends keyof ServerEvents>(patientId: string, type: K, data: ServerEvents[K]): number {
    let sent = 0;
    let frame: string | null = null;
    for (const c of this.clients.values()) {
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
    if (!this.clients.delete(client.socket)) return;
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

  private sweep(): void {
    for (const c of this.clients.values()) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  /**
   * The adapter closed the server before this (Nest closes gateways' servers, sending each socket
   * 1001, ahead of the HTTP server and the shutdown hooks); what is left here is the timers.
   */
  onApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.clients.values()) if (c.expiry) clearTimeout(c.expiry);
  }
}
