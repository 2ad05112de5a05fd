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
import {
  type AlertView,
  type ClientEvents,
  type ClientMessage,
  type ServerEvents,
  type ServerMessage,
  type Silence,
  type WindowScore,
} from '@vigil/contracts';
import { AuthError, canSee, type User, tokenExpiresAt, tokenFrom } from '@vigil/alerting';
import { CONFIG, JwtGuard, setSocketAuth, type SocketAuth, TokenVerifier } from '@vigil/infra';
import { WS_CLOSE, WS_PATH } from './alerts.constants';
import { CareTeamsProjection } from './care-teams.projection';
import { ClientErrorFilter, ClientMessageError, WS_CLIENT_ERROR } from './vigil-ws.adapter';
import { wsConnected as connected, wsRefused as refused } from './ws.metrics';

/** Timers cannot wait longer than 2^31 - 1 ms (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A dropped slow client gets its close frame; if it does not read it, its TCP connection goes. */
const CLOSE_GRACE_MS = 2000;
/** A socket that has not authenticated (header or first message) by then is closed (4401). */
const AUTH_TIMEOUT_MS = 10_000;

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
}

type ActionMessage = Exclude<ClientMessage, { type: 'auth' }>;
/** A person's message (not `auth`); what it returns is sent back to that socket only. */
export type ClientAction = (user: User, message: ActionMessage) => Promise<ServerMessage | void>;
export type Hello = (user: User) => Promise<ServerEvents['hello']>;

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
 *   the hello message on the new socket carries every open alert, so nothing is missed;
 * - a socket that does not authenticate within 10 s is closed (4401);
 * - a client that misses a heartbeat is dropped;
 * - a message that is not JSON or of no known type gets an `error` reply (never echoing it).
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
  ) {}

  /** The callbacks (the app's services) and the heartbeat; the server accepts once the app listens. */
  start(hello: Hello, onAction: ClientAction): void {
    this.hello = hello;
    this.onAction = onAction;
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
    this.authenticate(client, data.token);
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
  private authenticate(client: Client, token: string): void {
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
        this.greet(client, user);
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

  private greet(client: Client, user: User): void {
    if (!this.hello) return this.drop(client, 1011, 'try again', 'hello-failed');
    this.hello(user).then(
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
