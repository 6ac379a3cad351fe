/**
 * Take the open scenario and run elsewhere: the scenario as a file (and back
 * in), the trace for Perfetto or chrome://tracing, the timeline as a picture
 * for a bug report, the scenario as a Promela model for Spin. Every export
 * is of the whole schedule the store holds, as the timeline draws it.
 *
 * An export that cannot be made for the open scenario and variant is
 * disabled, with the reason beside it. A file that cannot be imported
 * becomes the page's notice; nothing the user had open changes. The status
 * line speaks of the last thing done and is cleared when the view changes.
 */
import { useId, useMemo, useState } from 'react';
import type { VariantId } from '../../kernel/variants.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { promelaOf, promelaRefusal } from '../../export/promela.ts';
import { scenarioFileName, scenarioFileText } from '../../export/scenario-json.ts';
import { traceEventsOf } from '../../export/trace-event.ts';
import { MAX_SCENARIO_JSON_BYTES, parseScenarioJson } from '../../scenarios/validate.ts';
import type { FaultlineData } from '../../store/faultline.ts';
import { useFaultline, useFaultlineStore } from '../store-context.tsx';
import { svgToPng } from '../timeline/png.ts';
import { runTimelineSvg } from '../../export/timeline/svg.ts';
import { download, downloadText } from './download.ts';
import './exports.css';

/** `gfs2-abba-dio.gfs2-5.15`: what every export of this view is called, before its extension. */
function baseName(s: FaultlineData): string {
  return `${s.scenario.id}.${s.variant}`;
}

/** The timeline of the whole run, as the panel draws it, as an SVG document. */
export function timelineSvgOf(s: FaultlineData): string {
  return runTimelineSvg({ scenario: s.scenario, variant: s.variant, trace: s.trace, states: s.states, cursor: s.cursor });
}

export function ExportPanel() {
  const store = useFaultlineStore();
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const fileId = useId();
  const promelaWhyNot = useId();
  // "Promela model downloaded" is about the scenario and variant it was made for: shown only while they are open.
  const [said, say] = useState<{ readonly scenario: Scenario; readonly variant: VariantId; readonly text: string } | null>(null);
  const status = said !== null && said.scenario === scenario && said.variant === variant ? said.text : '';
  const setStatus = (text: string) => {
    const s = store.getState();
    say({ scenario: s.scenario, variant: s.variant, text });
  };
  const refusal = useMemo(() => promelaRefusal(scenario, variant), [scenario, variant]);
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
      setStatus('');
      notice(`No Promela model for ${s.scenario.id} under ${s.variant}: ${model.message}`);
      return;
    }
    downloadText(`${baseName(s)}.pml`, model.model, 'text/plain');
    done('Promela model');
  };

  return (
    <section className="export-panel panel" aria-label="Edit, import and export">
      <h2>Import and export</h2>
      <h3>The scenario, as a file</h3>
      <p className="export-note">
        JSON in the format docs/scenario-format.md describes: edit it, keep it next to a patch, open it here or with the command line.
      </p>
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
      <h3>The run</h3>
      <ul className="export-list" role="group" aria-label="Export the run">
        <li>
          <button type="button" onClick={exportTrace}>
            Export trace for Perfetto
          </button>{' '}
          Chrome Trace Event JSON, for ui.perfetto.dev or chrome://tracing: a thread per task, a track per lock, flows from a release to the waiter it wakes.
        </li>
        <li>
          <button type="button" onClick={exportSvg}>
            Export timeline SVG
          </button>{' '}
          <button type="button" onClick={exportPng}>
            Export timeline PNG
          </button>{' '}
          The whole timeline, for a bug report.
        </li>
        <li>
          <button type="button" onClick={exportPromela} disabled={refusal !== null} aria-describedby={promelaWhyNot}>
            Export Promela model
          </button>{' '}
          <span id={promelaWhyNot} className={refusal === null ? undefined : 'export-refusal'}>
            {refusal === null ? `The scenario under ${variant} for Spin: spin -a, cc -o pan pan.c, ./pan.` : `Not available for ${scenario.id} under ${variant}: ${refusal}`}
          </span>
        </li>
      </ul>
      <p className="export-status" role="status">
        {status}
      </p>
    </section>
  );
}
