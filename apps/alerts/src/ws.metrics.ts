import { Counter, Gauge } from 'prom-client';

/** The clinicians' WebSocket metrics (the gateway and its adapter count into the same ones). */
export const wsConnected = new Gauge({
  name: 'vigil_alerts_ws_clients',
  help: 'Connected WebSocket clients',
});
export const wsRefused = new Counter({
  name: 'vigil_alerts_ws_refused_total',
  help: 'WebSocket handshakes and sockets the gateway refused or closed, by reason',
  labelNames: ['reason'],
});
