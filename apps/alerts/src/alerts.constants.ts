/** Each gateway reads every alert and score (fan-out), so its consumer group is its own. */
export const gatewayGroup = (instance: string): string => `alerts-gateway-${instance}`;
/** The care-team projection reads the registry log from the start on every boot. */
export const careTeamGroup = (instance: string): string => `alerts-care-teams-${instance}`;
export const WS_PATH = '/ws';
