import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.ts';
import { findPreset, PRESETS } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { replay } from '../sim/replay.ts';
import { buildSetup } from '../scenarios/build.ts';
import { storeFromLink } from '../store/link.ts';
import { MAX_LINK_LENGTH, decodeLink, encodeLink, fromBase64Url, packSchedule, toBase64Url, unpackSchedule } from './link.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(id);
  return s;
}

/** The whole documented interleaving of a preset under a variant. */
function documented(scenario: Scenario, variant: Scenario['variants'][number]) {
  const named = scenario.schedules.find((s) => s.expect[variant] !== undefined) ?? scenario.schedules[0];
  return replay(buildSetup(scenario), variant, named?.steps ?? [], { finish: true }).schedule;
}

const links = PRESETS.flatMap((scenario) => scenario.variants.map((variant) => {
  const schedule = documented(scenario, variant);
  return encodeLink({ scenario, preset: true, variant, schedule, cursor: Math.floor(schedule.length / 2) });
}));

describe('share links', () => {
  it('base64url round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it.each(PRESETS.flatMap((s) => s.variants.map((v) => [s.id, v] as const)))('%s under %s: a link restores the scenario, variant, schedule and cursor', (id, variant) => {
    const scenario = preset(id);
    const schedule = documented(scenario, variant);
    const decoded = decodeLink(`#${encodeLink({ scenario, preset: true, variant, schedule, cursor: 3 })}`);
    expect(decoded.ok && decoded.problems).toEqual([]);
    if (!decoded.ok) return;
    expect(decoded.view.scenario).toBe(scenario);
    expect([decoded.view.variant, decoded.view.schedule, decoded.view.cursor]).toEqual([variant, schedule, Math.min(3, schedule.length)]);
  });

  it('a custom scenario travels in the link and comes back equal', () => {
    const custom: Scenario = { ...preset('gfs2-abba-dio'), id: 'my-abba', title: 'my copy' };
    const decoded = decodeLink(encodeLink({ scenario: custom, preset: false, variant: 'gfs2-5.15', schedule: [101, 102], cursor: 1 }));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(JSON.parse(JSON.stringify(decoded.view.scenario))).toEqual(JSON.parse(JSON.stringify(custom)));
  });

  it('any preset with a 200-step schedule fits in under 1,000 characters', () => {
    for (const scenario of PRESETS) {
      const pids = scenario.tasks.map((t) => t.pid);
      const schedule = Array.from({ length: 200 }, (_, i) => pids[(i * 7 + (i >> 2)) % pids.length] ?? 0);
      const link = encodeLink({ scenario, preset: true, variant: scenario.variants[0] ?? 'gfs2-5.15', schedule, cursor: 200 });
      expect(link.length, scenario.id).toBeLessThan(1000);
    }
  });

  it('a custom scenario with 4 tasks and a 200-step schedule fits in under 2,000 characters', () => {
    const base = preset('lock-page-retry');
    const custom: Scenario = {
      ...base,
      id: 'four-loads',
      mappings: [...base.mappings, { process: 3, file: 'F', at: 0, pages: 2, shared: true }],
      tasks: [...base.tasks, { pid: 104, process: 3, program: [{ call: 'touch', vpage: 1, write: false }] }],
    };
    expect(custom.tasks).toHaveLength(4);
    const schedule = Array.from({ length: 200 }, (_, i) => 101 + (i % 4));
    const link = encodeLink({ scenario: custom, preset: false, variant: 'dax-2015', schedule, cursor: 0 });
    expect(link.length).toBeLessThan(2000);
    expect(decodeLink(link).ok).toBe(true);
  });

  const valid = links[0] ?? '';
  it.each([
    ['malformed', 'hello world', 'not a Faultline link'],
    ['wrong version', valid.replace('v=1', 'v=7'), 'another version of Faultline (format 7)'],
    ['oversized', `v=1&s=gfs2-read-self&junk=${'a'.repeat(MAX_LINK_LENGTH)}`, 'this link is too long'],
    ['unknown preset', 'v=1&s=no-such-thing&k=gfs2-5.15', "unknown scenario 'no-such-thing'"],
    ['no scenario', 'v=1&k=gfs2-5.15', 'names no scenario'],
    ['damaged custom scenario', 'v=1&x=AAAA&k=gfs2-5.15', 'the scenario in the link is damaged'],
    ['custom scenario failing validation', encodeLink({ scenario: { ...preset('dax-truncate'), blockSize: 8192 }, preset: false, variant: 'dax-2015', schedule: [], cursor: 0 }), 'blockSize'],
  ])('refuses a %s link with a message', (_name, link, message) => {
    const decoded = decodeLink(link);
    expect(decoded.ok).toBe(false);
    expect(decoded.problems.join(' ')).toContain(message);
  });

  it('keeps the longest valid prefix of a truncated schedule, and says so', () => {
    const scenario = preset('gfs2-abba-dio');
    const packed = packSchedule(scenario, [101, 101, 101, 102, 102, 102, 101, 102, 101, 102, 101, 102]);
    const [count, bits] = packed.split('.');
    // Two base64url characters carry one byte: the first eight one-bit steps.
    const cut = unpackSchedule(scenario, `${count ?? ''}.${(bits ?? '').slice(0, 2)}`);
    expect(cut.schedule).toEqual([101, 101, 101, 102, 102, 102, 101, 102]);
    expect(cut.problem).toBe('the link\'s schedule is truncated: kept 8 of 12 steps');
  });

  it('a schedule that steps a blocked task is replayed up to that step, and the page says why', () => {
    const scenario = preset('gfs2-abba-dio');
    const link = encodeLink({ scenario, preset: true, variant: 'gfs2-5.15', schedule: [102, 102, 102, ...Array<number>(14).fill(101)], cursor: 17 });
    const store = storeFromLink(link);
    expect(store.getState().schedule).toHaveLength(14);
    expect(store.getState().notice).toContain('pid 101 is blocked: waiting for glock 2/F2 in SH: held DF by pid 102');
  });

  it('a variant the scenario does not run under falls back to its first, with a note', () => {
    const decoded = decodeLink('v=1&s=dax-truncate&k=gfs2-5.15&p=0.&c=0');
    expect(decoded.ok && decoded.view.variant).toBe('dax-2015');
    expect(decoded.problems).toEqual(["dax-truncate does not run under 'gfs2-5.15': showing dax-2015"]);
  });

  /** Random links and mutations of real ones: the decoder and the replay never throw, and never leave a broken state unreported. */
  const mutated = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constantFrom(...links),
    fc.tuple(fc.constantFrom(...links), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 12 })).map(([link, at, drop, insert]) => {
      const i = at % (link.length + 1);
      return link.slice(0, i) + insert + link.slice(i + drop);
    }),
    fc.tuple(fc.constantFrom(...links), fc.nat()).map(([link, at]) => link.slice(0, at % (link.length + 1))),
  );

  it('10,000 random and mutated links: the decoder and the replay never throw nor leave an invalid state', () => {
    fc.assert(
      fc.property(mutated, (link) => {
        const decoded = decodeLink(link);
        expect(Array.isArray(decoded.problems)).toBe(true);
        const store = storeFromLink(link);
        const s = store.getState();
        expect(s.cursor).toBeGreaterThanOrEqual(0);
        expect(s.cursor).toBeLessThanOrEqual(s.schedule.length);
        expect(s.states).toHaveLength(s.schedule.length + 1);
        for (const state of s.states) if (state.stopped === null) expect(checkInvariants(state.kernel)).toBeNull();
      }),
      { numRuns: 10_000 },
    );
  });
});
