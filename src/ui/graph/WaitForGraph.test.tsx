/// <reference types="vite/client" />
// vite/client types the component's CSS import, which Vitest handles as Vite does.
// Server-rendered markup: the accessible names and the empty state, without a browser.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { findPreset } from '../../scenarios/index.ts';
import { FaultlineProvider } from '../store-context.tsx';
import { WaitForGraph } from './WaitForGraph.tsx';

function render(cursor: number): string {
  const scenario = findPreset('gfs2-abba-dio');
  return renderToStaticMarkup(
    <FaultlineProvider options={{ scenario, variant: 'gfs2-5.15', cursor }}>
      <WaitForGraph />
    </FaultlineProvider>,
  );
}

describe('WaitForGraph', () => {
  it('names the deadlock cycle above the picture and in the picture’s label', () => {
    const html = render(Number.MAX_SAFE_INTEGER);
    expect(html).toContain('<h2');
    expect(html).toContain('Wait-for graph');
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Wait-for graph. Deadlock: pid 101 → glock 2/F2 → pid 102 → glock 2/F1 → pid 101"');
    expect(html).toMatch(/<figcaption[^>]*>.*Deadlock:.*pid 101 → glock 2\/F2 → pid 102 → glock 2\/F1 → pid 101/);
    expect(html.match(/class="wfg-edge[^"]*wfg-in-cycle/g)).toHaveLength(4);
  });

  it('says so when no task is waiting', () => {
    expect(render(0)).toContain('No task is waiting.');
  });
});
