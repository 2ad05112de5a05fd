import { type IncomingMessage } from 'node:http';
import { Catch, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { type MessageMappingProperties } from '@nestjs/websockets';
import { type Observable } from 'rxjs';
import { type WebSocket, type WebSocketServer, type ServerOptions } from 'ws';
import { type Settings } from '@vigil/config';
import { originAllowed } from '@vigil/alerting';
import { CONFIG } from '@vigil/infra';
import { wsRefused } from './ws.metrics';

/** Close frames the gateway's sockets get when the app stops; those that do not answer are cut after this. */
const CLOSE_GRACE_MS = 2000;

/**
 * A local event on a socket (never sent as is): something the client sent could not be handled —
 * not JSON, an unknown type, or its handler refused or failed (ClientErrorFilter). The gateway turns
 * it into the client's `error` reply or a close, through its own send path (buffer bound).
 */
export const WS_CLIENT_ERROR = 'vigil:client-error';

/** What the client sent, as the adapter refused it (the message never echoes the input). */
export class ClientMessageError extends Error {
  constructor(
    readonly kind: 'json' | 'type',
    message: string,
  ) {
    super(message);
    this.name = ClientMessageError.name;
  }
}

/** Every exception of a gateway's handlers (its guard's included) goes to the socket's WS_CLIENT_ERROR. */
@Catch()
export class ClientErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    host.switchToWs().getClient<WebSocket>().emit(WS_CLIENT_ERROR, exception);
  }
}

/**
 * Nest's `ws` adapter with the properties the clinicians' WebSocket needs, which the stock one lacks:
 * - the handshake refuses a browser page on a foreign origin (403, `originAllowed`) and frames over
 *   VIGIL_ALERTS_WS_MAX_PAYLOAD_BYTES close the socket (1009), from the settings (not decorator constants);
 * - messages are Vigil's `{"type":…,"data":{…}}` (the stock one expects `event`); one that is not JSON
 *   or names no handler is reported (WS_CLIENT_ERROR) where the stock adapter drops it silently;
 * - handlers' return values are not sent: replies are the gateway's, through its send-buffer bound;
 * - closing (app shutdown) stops accepting, then sends each socket 1001 "server shutting down" (the
 *   dashboard shows its banner and reconnects) and cuts those that do not answer in time, where the
 *   stock one terminates them with no close frame.
 */
export class VigilWsAdapter extends WsAdapter {
  constructor(
    app: INestApplication,
    private readonly settings: Settings,
  ) {
    super(app);
  }

  /** Registers it on an alerts app (before it initialises: gateways connect at init). */
  static use(app: INestApplication): void {
    app.useWebSocketAdapter(new VigilWsAdapter(app, app.get<Settings>(CONFIG)));
  }

  override create(port: number, options: Record<string, unknown> & { path?: string }): WebSocketServer {
    const wsOptions: ServerOptions & { path?: string } = {
      ...options,
      maxPayload: this.settings.alertsWsMaxPayloadBytes,
      verifyClient: (
        info: { req: IncomingMessage },
        done: (ok: boolean, code?: number, why?: string) => void,
      ) => {
        const { origin, host } = info.req.headers;
        if (originAllowed(origin, host, this.settings.alertsAllowedOrigins)) return done(true);
        wsRefused.inc({ reason: 'origin' });
        done(false, 403, 'origin not allowed');
      },
    };
    return super.create(port, wsOptions) as WebSocketServer;
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const byType = new Map(handlers.map((h) => [String(h.message), h]));
    const expected = `expected {"type":"${[...byType.keys()].join('"|"')}","data":{…}}`;
    // A server socket's binaryType is 'nodebuffer': every message is one Buffer.
    client.on('message', (raw: Buffer) => {
      let message: { type?: unknown; data?: unknown } | null;
      try {
        message = JSON.parse(raw.toString('utf8')) as typeof message;
      } catch {
        client.emit(WS_CLIENT_ERROR, new ClientMessageError('json', 'expected JSON')); // never echo the input
        return;
      }
      const handler = typeof message?.type === 'string' ? byType.get(message.type) : undefined;
      if (!handler || typeof message?.data !== 'object' || message.data === null) {
        client.emit(WS_CLIENT_ERROR, new ClientMessageError('type', expected));
        return;
      }
      // Errors of the handler (and its guard) reach ClientErrorFilter; the result is only drained.
      transform(handler.callback(message.data, message.type)).subscribe({ error: () => undefined });
    });
  }

  /** Per-socket errors are the gateway's to log (as warnings): an oversized frame is a client's doing. */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('error', (error: Error) => this.logger.error(error));
    return server;
  }

  override close(server: WebSocketServer): Promise<void> {
    // Stop accepting first (clients reconnect at once: one accepted now would hold the close open),
    // then close every socket the server has, and cut those that do not answer the close in time.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of server.clients) {
      socket.close(1001, 'server shutting down');
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    }
    return closed;
  }
}
