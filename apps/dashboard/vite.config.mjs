// The on-call dashboard: TypeScript in src/, built to dist/dashboard/ (npm run build), served by
// the alerts gateway at /. Imports the shared contract types and the pure silence rule.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const at = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: at('.'),
  base: '/',
  logLevel: 'warn',
  resolve: {
    alias: {
      '@vigil/contracts': at('../../libs/contracts/src/index.ts'),
      '@vigil/alerting/silence': at('../../libs/alerting/src/silence.ts'),
    },
  },
  build: {
    outDir: at('../../dist/dashboard'),
    emptyOutDir: true,
    // No inline scripts: the page's CSP allows only its own files.
    modulePreload: false,
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
});
