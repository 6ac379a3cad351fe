/// <reference types="vite/client" />
// vite/client types the component's CSS import, which Vitest handles as Vite does.
// Server-rendered markup: the region, its headings and the changed-row markers, without a browser.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { findPreset } from '../../scenarios/index.ts';
import { FaultlineProvider } from '../store-context.tsx';
import { KernelInspector } from './KernelInspector.tsx';

function render(cursor: number): string {
  const scenario = findPreset('gfs2-abba-dio');
  return renderToStaticMarkup(
    <FaultlineProvider options={{ scenario, variant: 'gfs2-5.15', cursor }}>
      <KernelInspector />
    </FaultlineProvider>,
  );
}

describe('KernelInspector', () => {
  const html = render(Number.MAX_SAFE_INTEGER);

  it('is a region named "Kernel state" with a heading per part', () => {
    expect(html).toContain('aria-label="Kernel state"');
    for (const heading of ['Locks', 'Page cache', 'Blocks', 'Page tables', 'Inodes']) expect(html).toMatch(new RegExp(`<h3 id="[^"]+">${heading}</h3>`));
  });

  it('marks the changed row with a visible Δ and the word "changed", not colour alone', () => {
    expect(html.match(/data-changed="true"/g)).toHaveLength(1);
    expect(html).toMatch(/data-changed="true"><td class="ki-mark"><span aria-hidden="true">Δ<\/span><span class="ki-sr">changed<\/span><\/td><th scope="row" class="ki-name">glock 2\/F1/);
    expect(html).toContain('changed: glock 2/F1.');
  });

  it('marks nothing at step 0', () => {
    const first = render(0);
    expect(first).not.toContain('data-changed');
    expect(first).toContain('Initial state: no step has run.');
  });
});
