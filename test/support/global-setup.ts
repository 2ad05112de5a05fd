import { connect } from 'node:net';

/** Integration and e2e specs need the real stack; say so plainly instead of timing out in a spec. */
const SERVICES = [
  { name: 'Kafka', port: 9092 },
  { name: 'Redis', port: 6379 },
  { name: "Mosquitto (Vigil's, deploy/stack.sh)", port: 1885 },
];

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export default async function globalSetup(): Promise<void> {
  const down = [];
  for (const s of SERVICES) if (!(await reachable(s.port))) down.push(`${s.name} (127.0.0.1:${s.port})`);
  if (down.length > 0) {
    throw new Error(`Not reachable: ${down.join(', ')}. Start the local stack with: deploy/stack.sh up`);
  }
}
