/// <reference types="vite/client" />
// vite/client types the component's CSS import, which Vitest handles as Vite does.
// Server-rendered markup: the heading, the frame stack and the picture's label, without a browser.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { findPreset } from '../../scenarios/index.ts';
import { FaultlineProvider } from '../store-context.tsx';
import { StatechartView } from './StatechartView.tsx';

function render(pid: number): string {
  const scenario = findPreset('gfs2-read-self');
  return renderToStaticMarkup(
    <FaultlineProvider options={{ scenario, variant: 'gfs2-5.15', cursor: Number.MAX_SAFE_INTEGER }}>
      <StatechartView pid={pid} />
    </FaultlineProvider>,
  );
}

describe('StatechartView', () => {
  const html = render(101);

  it('heads the chart with the top frame’s machine and lists the frames bottom to top', () => {
    expect(html).toMatch(/<h2 id="[^"]+">Statechart: gfs2_fault<\/h2>/);
    const machines = [...html.matchAll(/class="sc-frame-machine">([^<]+)</g)].map((m) => m[1]);
    expect(machines).toEqual(['task', 'gfs2_file_read_iter', 'filemap_read', 'do_page_fault', 'gfs2_fault']);
    expect(html.match(/aria-pressed="true"/g)).toHaveLength(1);
  });

  it('labels the picture with the state where the task hit BUG()', () => {
    expect(html).toContain('role="img" aria-label="Statechart of gfs2_fault: 9 states; current state glock_nq, where the task died on glock.recursive."');
    expect(html).toContain('BUG()');
  });

  it('says when there is no such task', () => {
    expect(render(999)).toContain('No task with pid 999.');
  });
});
