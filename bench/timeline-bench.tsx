/**
 * The timeline bench page (bench/timeline.html).
 *
 *   ?events=10000          a synthetic timeline of that many steps on 6 lanes
 *   ?scenario=ID&variant=V  the real TimelinePanel on a preset's documented run
 *
 * It exposes `window.__timelineBench` (bench/api.ts) so bench/run.ts and the
 * browser test can pan it and read frame times; it asserts nothing itself.
 */
import { StrictMode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { findVariant } from '../src/kernel/variants.ts';
import { findPreset } from '../src/scenarios/index.ts';
import { FaultlineProvider } from '../src/ui/store-context.tsx';
import type { FrameCost } from '../src/ui/timeline/frames.ts';
import { syntheticTimeline } from '../src/export/timeline/synthetic.ts';
import { Timeline, type TimelineHandle } from '../src/ui/timeline/Timeline.tsx';
import { TimelinePanel } from '../src/ui/timeline/TimelinePanel.tsx';
import type { BenchFrames, PanOptions, TimelineBench } from './api.ts';
import './bench.css';

const LANES = 6;
const SEED = 1;
const DEFAULT_EVENTS = 10_000;

function eventsParam(params: URLSearchParams): number {
  const n = Number.parseInt(params.get('events') ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 500_000) : DEFAULT_EVENTS;
}

function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Frame timestamps from requestAnimationFrame, and the costs the timeline reports, until stopped. */
function startRecording(costs: FrameCost[]): { stop(): Promise<BenchFrames> } {
  const stamps: number[] = [];
  let running = true;
  const tick = (t: number) => {
    if (!running) return;
    stamps.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  costs.length = 0;
  return {
    async stop() {
      // One more frame, so the last requested repaint is measured.
      await nextFrame();
      running = false;
      const intervals = stamps.slice(1).map((t, i) => t - (stamps[i] ?? t));
      const taken = costs.splice(0);
      return { intervals, paintMs: taken.filter((c) => c.paintMs > 0).map((c) => c.paintMs), domMs: taken.filter((c) => c.domMs > 0).map((c) => c.domMs) };
    },
  };
}

function SyntheticBench({ events }: { events: number }) {
  const model = useMemo(() => syntheticTimeline(events, LANES, SEED), [events]);
  const [cursor, setCursor] = useState(Math.floor(events / 3));
  const handle = useRef<TimelineHandle>(null);
  const costs = useRef<FrameCost[]>([]);
  const onFrame = useCallback((cost: FrameCost) => {
    costs.current.push(cost);
  }, []);
  const laneLabels = useMemo(() => model.pids.map((pid) => `pid ${pid}`), [model]);
  const stepLabel = useCallback((i: number) => `synthetic step ${i + 1} on pid ${model.pids[model.stepLane[i] ?? -1] ?? '?'} at depth ${model.stepDepth[i] ?? 0}`, [model]);

  useEffect(() => {
    const api: TimelineBench = {
      events,
      lanes: LANES,
      fit: () => handle.current?.fit(),
      zoomBy: (factor) => handle.current?.zoomBy(factor),
      record: () => startRecording(costs.current),
      async pan({ frames, dx, zoom }: PanOptions) {
        handle.current?.fit();
        handle.current?.zoomBy(zoom);
        await nextFrame();
        await nextFrame();
        const recording = startRecording(costs.current);
        for (let n = 0; n < frames; n++) {
          handle.current?.panBy(Math.floor(n / 60) % 2 === 0 ? -dx : dx);
          await nextFrame();
        }
        return recording.stop();
      },
    };
    window.__timelineBench = api;
    return () => {
      delete window.__timelineBench;
    };
  }, [events]);

  return (
    <main>
      <h1>Timeline bench</h1>
      <p className="bench-meta">
        {events.toLocaleString('en')} synthetic steps on {LANES} lanes (seed {SEED}), with {model.holds.count.toLocaleString('en')} holds, {model.waits.count.toLocaleString('en')} waits,{' '}
        {model.faults.count.toLocaleString('en')} fault frames and {model.path.count.toLocaleString('en')} retry-path points.
      </p>
      <Timeline ref={handle} model={model} cursor={cursor} onSelectStep={setCursor} laneLabels={laneLabels} stepLabel={stepLabel} onFrame={onFrame} />
    </main>
  );
}

function ScenarioBench({ scenarioId, variantId }: { scenarioId: string; variantId: string }) {
  const scenario = findPreset(scenarioId);
  const variant = findVariant(variantId)?.id;
  if (scenario === undefined) return <p role="alert">No preset named {scenarioId}.</p>;
  return (
    <main>
      <h1>
        {scenario.id} under {variant ?? scenario.variants[0]}
      </h1>
      <p className="bench-meta">{scenario.title}</p>
      <FaultlineProvider options={{ scenario, ...(variant !== undefined ? { variant } : {}) }}>
        <TimelinePanel />
      </FaultlineProvider>
    </main>
  );
}

function BenchPage() {
  const params = new URLSearchParams(window.location.search);
  const scenario = params.get('scenario');
  if (scenario !== null) return <ScenarioBench scenarioId={scenario} variantId={params.get('variant') ?? ''} />;
  return <SyntheticBench events={eventsParam(params)} />;
}

const root = document.getElementById('root');
if (root === null) throw new Error('timeline.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <BenchPage />
  </StrictMode>,
);
