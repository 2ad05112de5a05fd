/** Each gateway reads every alert and score (fan-out), so its consumer group is its own. */
export const gatewayGroup = (instance: string): string => `alerts-gateway-${instance}`;
/** The care-team projection reads the registry log from the start on every boot, in a group of its own per process (a random suffix is added). */
export const careTeamGroup = (instance: string): string => `alerts-care-teams-${instance}`;
export const WS_PATH = '/ws';
/** WebSocket close codes the gateway uses (4000–4999 are the application's own). */
export const WS_CLOSE = {
  /** No valid token, or the token expired while the socket was open: reconnect with a fresh one. */
  unauthorised: 4401,
  /** The client read too slowly; the gateway stopped buffering for it. Reconnect (hello resends open alerts). */
  tooSlow: 4408,
} as const;
/** Webhook delivery: ONE group shared by every gateway, so each audit record is sent by exactly one. */
export const webhookGroup = 'alerts-webhook';
/**
 * The clinicians' event feed: one Redis stream per topic prefix (every alert version and silence
 * change, appended once by the store's compare-and-set write), and the id at which the alert state
 * was last rebuilt from Kafka. About FEED_MAXLEN entries are kept (XADD MAXLEN ~).
 */
export const feedKeys = (topicPrefix: string) => ({
  stream: `${topicPrefix}vigil:feed`,
  resetAt: `${topicPrefix}vigil:feed:reset-at`,
});
export const FEED_MAXLEN = 100_000;
