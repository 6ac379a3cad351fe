/**
 * "Explore all interleavings": the explorer runs in a Web Worker with live
 * progress and a Cancel; each outcome it reaches can be loaded into the
 * timeline as its shortest schedule.
 */
import { useEffect, useRef, useState } from 'react';
import { outsideCommand } from '../../export/outside-command.ts';
import type { VariantId } from '../../kernel/variants.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { EXPLORED_KINDS, type ExploreProgress, type ExploreResult } from '../../sim/explore/explore.ts';
import type { LockdepResult } from '../../sim/lockdep.ts';
import { reportTitle } from '../../sim/lockdep-format.ts';
import { useFaultline } from '../store-context.tsx';
import type { ExploreMessage, ExploreRequest } from './protocol.ts';

const MAX_STATES = 2_000_000;

type Run =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly progress: ExploreProgress | null; readonly key: string }
  | { readonly kind: 'done'; readonly result: ExploreResult; readonly summary: string; readonly key: string }
  | { readonly kind: 'cancelled'; readonly progress: ExploreProgress | null; readonly key: string };

function rate(p: ExploreProgress): string {
  return p.elapsedMs > 0 ? `${Math.round((p.states / p.elapsedMs) * 1000).toLocaleString('en-US')} states/s` : '';
}

function LockdepLine({ result }: { result: LockdepResult }) {
  return (
    <p className="explore-lockdep" aria-label="Lockdep across all interleavings">
      Lockdep across every transition explored: {result.reports.length === 0 ? 'no circular dependency.' : result.reports.map((r) => reportTitle(result, r)).join('; ')}
    </p>
  );
}

/** A search the page could not finish: the command that runs it outside the browser, to copy. */
function OutsideCommand({ scenario, variant, why }: { scenario: Scenario; variant: VariantId; why: string }) {
  const { command, note } = outsideCommand(scenario, variant);
  return (
    <div className="explore-outside" role="note" aria-label="Run it outside the browser">
      <p>
        {why} {note}
      </p>
      <code className="explore-command">{command}</code>
    </div>
  );
}

export function ExplorePanel() {
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const openView = useFaultline((s) => s.openView);
  const runToEnd = useFaultline((s) => s.runToEnd);
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const worker = useRef<Worker | null>(null);
  const key = `${scenario.id}/${variant}`;

  useEffect(() => () => worker.current?.terminate(), []);

  const start = () => {
    worker.current?.terminate();
    const w = new Worker(new URL('./explore.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    setRun({ kind: 'running', progress: null, key });
    w.onmessage = (event: MessageEvent<ExploreMessage>) => {
      const message = event.data;
      if (message.type === 'progress') setRun({ kind: 'running', progress: message.progress, key });
      else {
        setRun({ kind: 'done', result: message.result, summary: message.summary, key });
        w.terminate();
        worker.current = null;
      }
    };
    const request: ExploreRequest = { scenario, variant, maxStates: MAX_STATES };
    w.postMessage(request);
  };

  const cancel = () => {
    worker.current?.terminate();
    worker.current = null;
    setRun((r) => ({ kind: 'cancelled', progress: r.kind === 'running' ? r.progress : null, key }));
  };

  // A result belongs to the scenario and variant it was computed for.
  const current = run.kind !== 'idle' && run.key === key ? run : ({ kind: 'idle' } as const);

  return (
    <section className="explore" aria-labelledby="explore-title">
      <h2 id="explore-title">All interleavings</h2>
      <div className="control-row">
        {current.kind === 'running' ? (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        ) : (
          <button type="button" onClick={start}>
            Explore all interleavings
          </button>
        )}
        <span role="status" aria-label="Exploration">
          {current.kind === 'running' && (current.progress === null ? 'Exploring…' : `Exploring: ${current.progress.states.toLocaleString('en-US')} states, ${rate(current.progress)}`)}
          {current.kind === 'cancelled' && `Cancelled${current.progress !== null ? ` after ${current.progress.states.toLocaleString('en-US')} states` : ''}.`}
          {current.kind === 'done' && `${current.summary} (${current.result.states.toLocaleString('en-US')} states, ${current.result.transitions.toLocaleString('en-US')} transitions, ${Math.round(current.result.elapsedMs)} ms)`}
        </span>
      </div>
      {current.kind === 'done' && (
        <ul className="explore-outcomes" aria-label="Reachable outcomes">
          {EXPLORED_KINDS.map((kind) => {
            const found = current.result.outcomes[kind];
            if (found === undefined) return null;
            return (
              <li key={kind}>
                <button
                  type="button"
                  onClick={() => {
                    openView({ scenario, variant, schedule: found.shortest.schedule, cursor: found.shortest.length }, { kind: 'explored', outcome: kind });
                    // A livelock's schedule ends inside the loop: going on round-robin goes round it until the store sees the repeat.
                    if (kind === 'livelock') runToEnd({ kind: 'round-robin' });
                  }}
                >
                  {kind}
                </button>{' '}
                in {found.count.toLocaleString('en-US')} state(s); shortest: {found.shortest.length} steps, {found.shortest.switches} switch(es)
              </li>
            );
          })}
        </ul>
      )}
      {current.kind === 'done' && !current.result.complete && <OutsideCommand scenario={scenario} variant={variant} why="The page stopped at its limit." />}
      {current.kind === 'cancelled' && <OutsideCommand scenario={scenario} variant={variant} why="Too big to wait for here?" />}
      {current.kind === 'done' && current.result.lockdep !== null && <LockdepLine result={current.result.lockdep} />}
    </section>
  );
}
