// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layers, top to bottom (DEVELOPERS.md, "Style"). A layer may import any layer
 * below it and none above it. `cli` is a Node entry beside `store`: it may use
 * the engine but not the page.
 */
const LAYERS = ['ui', 'store', 'share', 'export', 'scenarios', 'sim', 'threads', 'kernel'];
const ENGINE = ['share', 'export', 'scenarios', 'sim', 'threads', 'kernel'];

/** Packages that belong to the page, never to the engine. */
const PAGE_PACKAGES = ['react', 'react-dom', 'react-dom/client', 'zustand', '@xstate/react', 'd3'];

/** Globals that exist only in a browser page; the engine also runs in Node and workers. */
const DOM_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'history', 'requestAnimationFrame', 'HTMLElement', 'alert'];

/** A regex matching a relative import of any of these src folders. */
function folderImport(folders) {
  return `^(\\.{1,2}/)+(?:.*/)?(${folders.join('|')})(/|$)`;
}

function restrictedImports(layer) {
  const above = layer === 'cli' ? ['ui', 'store'] : LAYERS.slice(0, LAYERS.indexOf(layer));
  const patterns = [];
  if (above.length > 0) {
    patterns.push({ regex: folderImport([...above, 'cli']), message: `src/${layer} must not import from a layer above it (${above.join(', ')}) or from the CLI; see DEVELOPERS.md.` });
  } else {
    patterns.push({ regex: folderImport(['cli']), message: 'nothing imports the CLI.' });
  }
  const isEngine = ENGINE.includes(layer);
  return {
    'no-restricted-imports': ['error', {
      paths: isEngine ? PAGE_PACKAGES.map((name) => ({ name, message: `src/${layer} is engine code: it must run in Node and in a worker, without React, Zustand or D3.` })) : [],
      patterns,
    }],
    ...(isEngine ? {
      'no-restricted-globals': ['error', ...DOM_GLOBALS.map((name) => ({ name, message: `src/${layer} is engine code and must not touch the DOM.` }))],
    } : {}),
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'e2e/artifacts/', 'test-results/', 'playwright-report/', '**/*.tmp.*'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...[...LAYERS, 'cli'].map((layer) => ({
    files: [`src/${layer}/**/*.{ts,tsx}`],
    // Tests may reach for fixtures anywhere; the boundary is for shipped code.
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: restrictedImports(layer),
  })),
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/store/**/*.{ts,tsx}', 'src/main.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['src/cli/**', 'scripts/**', 'e2e/**', '*.config.{ts,js}', 'src/**/*.test.{ts,tsx}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
