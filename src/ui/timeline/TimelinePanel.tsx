/**
 * The timeline of the whole schedule the store holds (not only up to the
 * cursor), one lane per task of the scenario, with the cursor drawn on it.
 * Clicking a step moves the store's cursor after that step. The zoom lives in
 * the store, so a link keeps it; until the user zooms, steps are shown wide
 * enough to read their labels.
 */
import { useCallback, useId, useMemo } from 'react';
import { pidName } from '../../kernel/state.ts';
import { useFaultline } from '../store-context.tsx';
import { buildTimeline } from '../../export/timeline/model.ts';
import { Timeline } from './Timeline.tsx';

/** Wide enough for two lines of a step's label: "gfs2_glock_nq(SH) on / glock 2/F → granted". */
const READABLE_STEP_PX = 128;

export function TimelinePanel() {
  const trace = useFaultline((s) => s.trace);
  const states = useFaultline((s) => s.states);
  const scenario = useFaultline((s) => s.scenario);
  const cursor = useFaultline((s) => s.cursor);
  const jumpTo = useFaultline((s) => s.jumpTo);
  const shown = useFaultline((s) => s.timelineWindow);
  const setTimelineWindow = useFaultline((s) => s.setTimelineWindow);
  const headingId = useId();

  const pids = useMemo(() => scenario.tasks.map((t) => t.pid), [scenario]);
  const laneLabels = useMemo(() => pids.map(pidName), [pids]);
  const model = useMemo(() => buildTimeline(trace, states, pids), [trace, states, pids]);
  const stepLabel = useCallback((i: number) => trace[i]?.label ?? '', [trace]);

  return (
    <section className="timeline-panel" aria-labelledby={headingId}>
      <Timeline
        title={<h2 id={headingId}>Timeline</h2>}
        model={model}
        cursor={cursor}
        onSelectStep={jumpTo}
        laneLabels={laneLabels}
        stepLabel={stepLabel}
        window={shown}
        onWindowChange={setTimelineWindow}
        readableStepPx={READABLE_STEP_PX}
      />
    </section>
  );
}
