/**
 * The timeline of the whole schedule the store holds (not only up to the
 * cursor), one lane per task of the scenario, with the cursor drawn on it.
 * Clicking a step moves the store's cursor after that step.
 */
import { useCallback, useId, useMemo } from 'react';
import { pidName } from '../../kernel/state.ts';
import { useFaultline } from '../store-context.tsx';
import { buildTimeline } from './model.ts';
import { Timeline } from './Timeline.tsx';

export function TimelinePanel() {
  const trace = useFaultline((s) => s.trace);
  const states = useFaultline((s) => s.states);
  const scenario = useFaultline((s) => s.scenario);
  const cursor = useFaultline((s) => s.cursor);
  const jumpTo = useFaultline((s) => s.jumpTo);
  const headingId = useId();

  const pids = useMemo(() => scenario.tasks.map((t) => t.pid), [scenario]);
  const laneLabels = useMemo(() => pids.map(pidName), [pids]);
  const model = useMemo(() => buildTimeline(trace, states, pids), [trace, states, pids]);
  const stepLabel = useCallback((i: number) => trace[i]?.label ?? '', [trace]);

  return (
    <section className="timeline-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Timeline</h2>
      <Timeline model={model} cursor={cursor} onSelectStep={jumpTo} laneLabels={laneLabels} stepLabel={stepLabel} />
    </section>
  );
}
