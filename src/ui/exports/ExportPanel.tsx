/**
 * Take the open scenario and run elsewhere: the scenario as a file (and back
 * in), the trace for Perfetto or chrome://tracing, the timeline as a picture
 * for a bug report, the scenario as a Promela model for Spin. Every export
 * is of the whole schedule the store holds, as the timeline draws it.
 *
 * A file that cannot be imported, or an export the engine refuses, becomes
 * the page's notice; nothing the user had open changes.
 */
import { useId, useState } from 'react';
import { pidName } from '../../kernel/state.ts';
import { promelaOf } from '../../export/promela.ts';
import { scenarioFileName, scenarioFileText } from '../../export/scenario-json.ts';
import { traceEventsOf } from '../../export/trace-event.ts';
import { MAX_SCENARIO_JSON_BYTES, parseScenarioJson } from '../../scenarios/validate.ts';
import { describeOutcome, outcomeOf } from '../../sim/outcome.ts';
import type { FaultlineData } from '../../store/faultline.ts';
import { useFaultlineStore } from '../store-context.tsx';
import { buildTimeline } from '../timeline/model.ts';
import { svgToPng } from '../timeline/png.ts';
import { timelineSvg } from '../timeline/svg.ts';
import { download, downloadText } from './download.ts';
import './exports.css';

/** `gfs2-abba-dio.gfs2-5.15`: what every export of this view is called, before its extension. */
function baseName(s: FaultlineData): string {
  return `${s.scenario.id}.${s.variant}`;
}

/** The timeline of the whole run, as the panel draws it, as an SVG document. */
export function timelineSvgOf(s: FaultlineData): string {
  const pids = s.scenario.tasks.map((t) => t.pid);
  const model = buildTimeline(s.trace, s.states, pids);
  const last = s.states[s.states.length - 1];
  const outcome = last === undefined ? null : outcomeOf(last);
  return timelineSvg(model, {
    title: `${s.scenario.id} under ${s.variant}`,
    subtitle: `${s.scenario.title}. ${outcome === null ? `${s.schedule.length} steps, still running` : `After ${s.schedule.length} steps: ${describeOutcome(outcome)}`}`,
    laneLabels: pids.map(pidName),
    stepLabel: (i) => s.trace[i]?.label ?? '',
    cursor: s.cursor,
  });
}

export function ExportBar({ onEdit }: { onEdit: () => void }) {
  const store = useFaultlineStore();
  const fileId = useId();
  const [status, setStatus] = useState('');
  const notice = (text: string) => store.setState({ notice: text });
  const done = (what: string) => setStatus(`${what} downloaded`);

  const exportScenario = () => {
    const s = store.getState();
    downloadText(scenarioFileName(s.scenario), scenarioFileText(s.scenario), 'application/json');
    done('Scenario JSON');
  };

  const importScenario = async (file: File | undefined) => {
    if (file === undefined) return;
    if (file.size > MAX_SCENARIO_JSON_BYTES) {
      notice(`${file.name} could not be imported: it is ${file.size} bytes, and a scenario file is at most ${MAX_SCENARIO_JSON_BYTES} bytes. Nothing you had open was changed.`);
      return;
    }
    const parsed = parseScenarioJson(await file.text());
    if (!parsed.ok) {
      const problems = parsed.errors.slice(0, 5).map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`));
      const more = parsed.errors.length > 5 ? `; and ${parsed.errors.length - 5} more` : '';
      notice(`${file.name} could not be imported: ${problems.join('; ')}${more}. Nothing you had open was changed.`);
      return;
    }
    store.getState().openCustom(parsed.scenario, store.getState().variant);
    setStatus(`Imported ${parsed.scenario.id} from ${file.name}`);
  };

  const exportTrace = () => {
    const s = store.getState();
    const trace = traceEventsOf({ scenario: s.scenario, variant: s.variant, trace: s.trace, states: s.states });
    downloadText(`${baseName(s)}.trace.json`, JSON.stringify(trace), 'application/json');
    done('Trace (Chrome Trace Event JSON)');
  };

  const exportSvg = () => {
    const s = store.getState();
    downloadText(`${baseName(s)}.svg`, timelineSvgOf(s), 'image/svg+xml');
    done('Timeline SVG');
  };

  const exportPng = () => {
    const s = store.getState();
    svgToPng(timelineSvgOf(s), 2).then(
      (png) => {
        download(`${baseName(s)}.png`, png);
        done('Timeline PNG');
      },
      (error: unknown) => notice(`The timeline could not be turned into a PNG: ${error instanceof Error ? error.message : String(error)}. Export the SVG instead.`),
    );
  };

  const exportPromela = () => {
    const s = store.getState();
    const model = promelaOf(s.scenario, s.variant);
    if (!model.ok) {
      notice(`No Promela model for ${s.scenario.id} under ${s.variant}: ${model.message}`);
      return;
    }
    downloadText(`${baseName(s)}.pml`, model.model, 'text/plain');
    done('Promela model');
  };

  return (
    <section className="export-bar" aria-label="Edit, import and export">
      <button type="button" onClick={onEdit}>
        Edit scenario
      </button>
      <span className="export-group" role="group" aria-label="Scenario file">
        <button type="button" onClick={exportScenario}>
          Export scenario JSON
        </button>
        <input
          id={fileId}
          className="visually-hidden"
          type="file"
          accept="application/json,.json"
          onChange={(e) => {
            void importScenario(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        {/* After the input, so the input's keyboard focus can ring it (exports.css). */}
        <label className="file-button" htmlFor={fileId}>
          Import scenario JSON
        </label>
      </span>
      <span className="export-group" role="group" aria-label="Export the run">
        <button type="button" onClick={exportTrace} title="Chrome Trace Event JSON: open it in ui.perfetto.dev or chrome://tracing">
          Export trace for Perfetto
        </button>
        <button type="button" onClick={exportSvg}>
          Export timeline SVG
        </button>
        <button type="button" onClick={exportPng}>
          Export timeline PNG
        </button>
        <button type="button" onClick={exportPromela} title="A Promela model of the scenario under this variant: spin -a, cc -o pan pan.c, ./pan">
          Export Promela model
        </button>
      </span>
      <span className="export-status" role="status">
        {status}
      </span>
    </section>
  );
}
