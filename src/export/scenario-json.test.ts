import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import { parseScenarioJson } from '../scenarios/validate.ts';
import { scenarioFileName, scenarioFileText } from './scenario-json.ts';

describe('scenario files', () => {
  it.each([...PRESETS.map((p) => [p.id, p] as const), ['gfs2-dio-ring (N = 4)', gfs2DioRing(4)] as const])('%s round-trips through its file', (_, scenario) => {
    const text = scenarioFileText(scenario);
    expect(text.startsWith('{\n  "format": 1,')).toBe(true);
    const back = parseScenarioJson(text);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.scenario).toEqual(scenario);
  });

  it('names the file after the scenario id', () => {
    expect(scenarioFileName(gfs2DioRing(3))).toBe('gfs2-dio-ring.json');
  });

  it('a file cut short anywhere is refused with a message, never half-read', () => {
    const text = scenarioFileText(gfs2DioRing(3));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 3 }), (cut) => {
        const back = parseScenarioJson(text.slice(0, cut));
        expect(back.ok).toBe(false);
        if (!back.ok) expect(back.errors[0]?.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
