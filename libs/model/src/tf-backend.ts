import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

export type TfBackend = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<TfBackend> | null = null;

/**
 * Picks the fastest TF.js backend available, once per process: tfjs-node ('tensorflow') when that
 * optional dependency is installed, else WebAssembly (its .wasm files ship in the npm package),
 * else pure JS. `prefer` forces one (falling back down the same list if it cannot start).
 */
export function initTfBackend(prefer?: TfBackend): Promise<TfBackend> {
  chosen ??= choose(prefer);
  return chosen;
}

async function choose(prefer?: TfBackend): Promise<TfBackend> {
  const order: TfBackend[] = ['tensorflow', 'wasm', 'cpu'];
  const candidates = prefer ? order.slice(order.indexOf(prefer)) : order;
  for (const name of candidates) {
    try {
      if (name === 'tensorflow') {
        const optional = '@tensorflow/tfjs-node';
        await import(optional);
      }
      if (name === 'wasm')
        setWasmPaths(
          join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/',
        );
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // not installed or cannot start here: try the next one
    }
  }
  throw new Error('no TensorFlow.js backend could start');
}
