/**
 * Moving through the schedule (the header's step controls, Play), making
 * it (the scheduler bar above the task panels), and the notice that says
 * what could not be done.
 */
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { digestState } from '../sim/digest.ts';
import { useCurrentState } from './store-context.tsx';
import { useFaultline } from './store-context.tsx';

export function StepControls() {
  const cursor = useFaultline((s) => s.cursor);
  const total = useFaultline((s) => s.schedule.length);
  // Actions are stable functions; useShallow keeps the grouped selection from re-rendering.
  const { back, forward, jumpTo } = useFaultline(useShallow((s) => ({ back: s.back, forward: s.forward, jumpTo: s.jumpTo })));
  const current = useCurrentState();
  const digest = current === undefined ? '' : digestState(current);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(4);
  const ids = { step: useId(), speed: useId() };

  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => (cursor >= total ? setPlaying(false) : forward()), 1000 / speed);
    return () => clearTimeout(timer);
  }, [playing, cursor, total, speed, forward]);

  return (
    <section className="controls" aria-label="Controls">
      <span className="control-group" role="group" aria-label="Move through the schedule">
        <button type="button" onClick={() => jumpTo(0)} disabled={cursor === 0}>
          Start
        </button>
        <button type="button" onClick={back} disabled={cursor === 0}>
          Back
        </button>
        <button type="button" onClick={forward} disabled={cursor >= total}>
          Forward
        </button>
        <button type="button" onClick={() => jumpTo(total)} disabled={cursor >= total}>
          End
        </button>
      </span>
      <span className="control-group">
        <label htmlFor={ids.step}>Step</label>
        <input id={ids.step} className="step-slider" type="range" min={0} max={total} value={cursor} onChange={(e) => jumpTo(Number(e.target.value))} />
        <output htmlFor={ids.step} className="step-count">
          {cursor} / {total}
        </output>
      </span>
      <span className="control-group">
        <button type="button" onClick={() => setPlaying((p) => !p)} disabled={!playing && cursor >= total}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <label htmlFor={ids.speed} className="visually-hidden">
          Speed
        </label>
        <input id={ids.speed} className="speed-slider" type="range" min={1} max={20} value={speed} onChange={(e) => setSpeed(Number(e.target.value))} />
        <output htmlFor={ids.speed} className="speed">
          {speed}/s
        </output>
      </span>
      <span className="digest" title="A digest of the whole kernel state at the cursor: two views with the same digest show the same state">
        state <code aria-label="State digest">{digest}</code>
      </span>
    </section>
  );
}

/** Be the scheduler from the cursor: run to the end round-robin or by a seeded generator, go back to step 0, or start from nothing. */
export function SchedulerBar() {
  const { reset, clearSchedule, runToEnd } = useFaultline(useShallow((s) => ({ reset: s.reset, clearSchedule: s.clearSchedule, runToEnd: s.runToEnd })));
  const [strategy, setStrategy] = useState<'round-robin' | 'random'>('round-robin');
  const [seed, setSeed] = useState(1);
  const ids = { strategy: useId(), seed: useId() };
  return (
    <div className="scheduler-bar" role="group" aria-label="Scheduler">
      <label htmlFor={ids.strategy}>Scheduler</label>
      <select id={ids.strategy} value={strategy} onChange={(e) => setStrategy(e.target.value === 'random' ? 'random' : 'round-robin')}>
        <option value="round-robin">round-robin</option>
        <option value="random">seeded random</option>
      </select>
      {strategy === 'random' && (
        <>
          <label htmlFor={ids.seed}>Seed</label>
          <input id={ids.seed} type="number" min={0} value={seed} onChange={(e) => setSeed(Math.max(0, Math.trunc(Number(e.target.value) || 0)))} className="seed" />
        </>
      )}
      <button type="button" onClick={() => runToEnd(strategy === 'random' ? { kind: 'random', seed } : { kind: 'round-robin' })}>
        Run to end from here
      </button>
      <button type="button" onClick={reset}>
        Reset
      </button>
      <button type="button" onClick={clearSchedule}>
        Clear schedule
      </button>
    </div>
  );
}

export function Notice() {
  const notice = useFaultline((s) => s.notice);
  const dismissNotice = useFaultline((s) => s.dismissNotice);
  if (notice === null) return null;
  return (
    <p className="notice" role="alert">
      <span className="notice-text">{notice}</span>
      <button type="button" onClick={dismissNotice}>
        Dismiss
      </button>
    </p>
  );
}
