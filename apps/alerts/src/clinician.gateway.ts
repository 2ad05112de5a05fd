import { type IncomingMessage, type Server } from 'node:http';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type WebSocket, WebSocketServer } from 'ws';
import { Gauge } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type AlertView, type ClientMessage, type ServerEvents, type WindowScore } from '@vigil/contracts';
import { AuthError, canSee, type User, tokenFrom, verifyToken } from '@vigil/alerting';
import { CONFIG } from '@vigil/infra';
import { WS_PATH } from './alerts.constants';
import { CareTeamsProjection } from './care-teams.projection';

const connected = new Gauge({ name: 'vigil_alerts_ws_clients', help: 'Connected WebSocket clients' });

interface Client {
  readonly socket: WebSocket;
  readonly user: User;
  alive: boolean;
}

export type ClientAction = (user: User, message: ClientMessage) => Promise<void>;

/**
 * WebSocket edge: authenticates each connection with its JWT, then pushes alerts and live vitals of
 * the patients that person may see. A client that misses a heartbeat is dropped.
 */
@Injectable()
export class ClinicianGateway implements OnApplicationShutdown {
  private server: WebSocketServer | null = null;
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly adapterHost: HttpAdapterHost,
    private readonly careTeams: CareTeamsProjection,
  ) {}

  /** Attaches to the app's HTTP server (same port as REST and the dashboard). */
  start(secret: string, hello: (user: User) => Promise<AlertView[]>, onAction: ClientAction): void {
    this.server = new WebSocketServer({
      server: this.adapterHost.httpAdapter.getHttpServer() as Server,
      path: WS_PATH,
    });
    this.server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      let user: User;
      try {
        user = verifyToken(tokenFrom(request.headers.authorization, request.url), secret);
      } catch (error) {
        socket.close(4401, error instanceof AuthError ? error.message : 'unauthorised');
        return;
      }
      const client: Client = { socket, user, alive: true };
      this.clients.add(client);
      connected.set(this.clients.size);
      socket.on('pong', () => (client.alive = true));
      socket.on('close', () => (this.clients.delete(client), connected.set(this.clients.size)));
      socket.on('message', (data: Buffer) => void this.onMessage(client, data.toString('utf8'), onAction));
      void hello(user).then((open) =>
        this.send(client, 'hello', {
          user: user.sub,
          role: user.role,
          openAlerts: open.filter((a) => this.allowed(user, a.patientId)),
        }),
      );
    });
    this.heartbeat = setInterval(() => this.sweep(), this.config.alertsHeartbeatMs);
    this.heartbeat.unref();
  }

  broadcastAlert(view: AlertView): number {
    return this.broadcast(view.patientId, 'alert', view);
  }

  broadcastVitals(score: WindowScore): number {
    return this.broadcast(score.patientId, 'vitals', score);
  }

  allowed(user: User, patientId: string): boolean {
    return canSee(user, this.careTeams.teamsOf(patientId));
  }

  private broadcast<K extends keyof ServerEvents>(patientId: string, type: K, data: ServerEvents[K]): number {
    let sent = 0;
    for (const c of this.clients) {
      if (!this.allowed(c.user, patientId)) continue;
      this.send(c, type, data);
      sent++;
    }
    return sent;
  }

  private send<K extends keyof ServerEvents>(client: Client, type: K, data: ServerEvents[K]): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify({ type, data }));
  }

  private async onMessage(client: Client, raw: string, onAction: ClientAction): Promise<void> {
    try {
      const message = JSON.parse(raw) as ClientMessage;
      if (
        (message.type !== 'ack' && message.type !== 'resolve') ||
        typeof message.data?.alertId !== 'string'
      ) {
        throw new Error('expected {"type":"ack"|"resolve","data":{"alertId":"…"}}');
      }
      await onAction(client.user, message);
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
    for (const c of this.clients) c.socket.close(1001, 'server shutting down');
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
