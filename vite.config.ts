import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * The production page fetches nothing from the network: every script, style
 * and font comes from the same folder. The policy says so to the browser too,
 * and forbids inline scripts. Dev mode is left without it because Vite's HMR
 * client injects an inline preamble.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'faultline-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * What `npm start` builds is the app alone. `--mode bench` adds the timeline
 * bench page that `npm run bench` and e2e/timeline.spec.ts open; source maps
 * come only with FAULTLINE_SOURCEMAP=1 (a debugging build), since they
 * would double what a static host serves.
 */
export default defineConfig(({ mode }) => ({
  // Relative asset paths: the build can be served from any folder of a static host.
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: 'dist',
    sourcemap: process.env.FAULTLINE_SOURCEMAP === '1',
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        ...(mode === 'bench' ? { bench: fileURLToPath(new URL('./bench/timeline.html', import.meta.url)) } : {}),
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    // The engine must run without a DOM; tests that need one opt in per file.
    environment: 'node',
    // Property tests and explorations do real work (10,000 links, whole state spaces); on a loaded
    // 2-core CI machine 5 s is not enough. Speed is measured by npm run bench, never by timeouts.
    testTimeout: 120_000,
  },
}));
