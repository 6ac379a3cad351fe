import { describe, expect, it } from 'vitest';
import { pidName } from '../../kernel/state.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { documentedSchedule } from '../../scenarios/schedule.ts';
import { replay } from '../../sim/replay.ts';
import { FAULT_ROW, HOLD_ROW, laneLayout } from './layout.ts';
import { LOCK_KINDS, PATH_KINDS, buildTimeline, type Spans, type TimelineModel } from './model.ts';
import { syntheticTimeline } from './synthetic.ts';
import { LOCK_NAMES, PATH_SHORT } from './palette.ts';
import { escapeXml, fitText, textWidth, timelineSvg, type TimelineSvgOptions } from './svg.ts';

/* ------------------------------------------------------------------ */
/* A tiny XML parser: enough to prove well-formedness and to query.    */
/* ------------------------------------------------------------------ */

interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}
type XmlNode = XmlElement | string;

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data with its references resolved; throws on a bare `&` or an unknown entity. */
function decode(raw: string, where: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare & at ${where}`);
    if (ref in ENTITIES) return ENTITIES[ref] ?? '';
    const code = /^#x[0-9a-f]+$/i.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
    if (Number.isNaN(code)) throw new Error(`unknown entity &${ref}; at ${where}`);
    return String.fromCodePoint(code);
  });
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTR = /\s+([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

/**
 * Parses one document: an optional XML declaration, comments, one root
 * element. Checks that tags nest and match, attributes are quoted and
 * unique, and text holds no `<` or bare `&`. Throws on the first fault.
 */
function parseXml(source: string): XmlElement {
  let at = 0;
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    at = end + 2;
  }
  const stack: { name: string; attrs: Record<string, string>; children: XmlNode[] }[] = [];
  let root: XmlElement | null = null;
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const textEnd = lt < 0 ? source.length : lt;
    const raw = source.slice(at, textEnd);
    if (raw.includes(']]>')) throw new Error(`]]> in text at ${at}`);
    if (raw.trim() !== '') {
      const parent = stack.at(-1);
      if (parent === undefined) throw new Error(`text outside the root at ${at}`);
      parent.children.push(decode(raw, at));
    } else if (raw !== '') stack.at(-1)?.children.push(raw);
    if (lt < 0) break;
    at = lt;
    if (source.startsWith('<!--', at)) {
      const end = source.indexOf('-->', at + 4);
      if (end < 0) throw new Error(`unterminated comment at ${at}`);
      at = end + 3;
      continue;
    }
    if (source.startsWith('</', at)) {
      NAME.lastIndex = at + 2;
      const name = NAME.exec(source)?.[0];
      const close = source.indexOf('>', at);
      const open = stack.pop();
      if (name === undefined || open === undefined || open.name !== name || source.slice(NAME.lastIndex, close).trim() !== '') throw new Error(`</${name ?? '?'}> at ${at} closes <${open?.name ?? 'nothing'}>`);
      if (stack.length === 0) root = open;
      at = close + 1;
      continue;
    }
    if (root !== null) throw new Error(`second root element at ${at}`);
    NAME.lastIndex = at + 1;
    const name = NAME.exec(source)?.[0];
    if (name === undefined) throw new Error(`bad tag at ${at}`);
    at = NAME.lastIndex;
    const attrs: Record<string, string> = {};
    for (;;) {
      ATTR.lastIndex = at;
      const m = ATTR.exec(source);
      if (m === null) break;
      const key = m[1] ?? '';
      if (key in attrs) throw new Error(`duplicate attribute ${key} at ${at}`);
      attrs[key] = decode(m[2] ?? m[3] ?? '', at);
      at = ATTR.lastIndex;
    }
    const rest = /\s*(\/?)>/y;
    rest.lastIndex = at;
    const end = rest.exec(source);
    if (end === null) throw new Error(`malformed <${name}> at ${at}: ${source.slice(at, at + 40)}`);
    at = rest.lastIndex;
    const element = { name, attrs, children: [] as XmlNode[] };
    stack.at(-1)?.children.push(element);
    if (end[1] === '/') {
      if (stack.length === 0) root = element;
    } else stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name ?? ''}> never closed`);
  if (root === null) throw new Error('no root element');
  return root;
}

function isElement(node: XmlNode): node is XmlElement {
  return typeof node !== 'string';
}

/** Every element under `el` (not itself) matching `test`, in document order. */
function findAll(el: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const child of e.children) {
      if (!isElement(child)) continue;
      if (test(child)) out.push(child);
      walk(child);
    }
  };
  walk(el);
  return out;
}

function byId(root: XmlElement, id: string): XmlElement {
  const found = findAll(root, (e) => e.attrs.id === id)[0];
  if (found === undefined) throw new Error(`no #${id}`);
  return found;
}

function hasClass(e: XmlElement, cls: string): boolean {
  return (e.attrs.class ?? '').split(' ').includes(cls);
}

/** Text content, <title> children excluded (they are tooltips, not drawn). */
function textOf(e: XmlElement): string {
  return e.children.map((c) => (isElement(c) ? (c.name === 'title' ? '' : textOf(c)) : c)).join('');
}

function titleOf(e: XmlElement): string | undefined {
  const t = e.children.find((c): c is XmlElement => isElement(c) && c.name === 'title');
  return t === undefined ? undefined : t.children.filter((c): c is string => typeof c === 'string').join('');
}

function n(e: XmlElement, attr: string): number {
  const v = Number(e.attrs[attr]);
  if (!Number.isFinite(v)) throw new Error(`<${e.name}> ${attr}=${e.attrs[attr] ?? 'missing'}`);
  return v;
}

/** Titled rects under #group: the bars of one kind of span. */
function bars(root: XmlElement, group: string): XmlElement[] {
  return findAll(byId(root, group), (e) => e.name === 'rect' && titleOf(e) !== undefined);
}

function labelsOf(model: TimelineModel, spans: Spans, keep: (i: number) => boolean = () => true): string[] {
  const out: string[] = [];
  for (let i = 0; i < spans.count; i++) if (keep(i)) out.push(model.strings[spans.label[i] ?? -1] ?? '');
  return out.sort();
}

function plotWidth(root: XmlElement): number {
  const clip = findAll(root, (e) => e.name === 'clipPath')[0];
  const rect = clip === undefined ? undefined : findAll(clip, (e) => e.name === 'rect')[0];
  if (rect === undefined) throw new Error('no clip rect');
  return n(rect, 'width');
}

describe('the XML checker', () => {
  it('accepts a small document and rejects what is not well-formed', () => {
    const ok = parseXml('<?xml version="1.0"?>\n<a x="1 &amp; 2"><b/><c y=\'&lt;\'>t &#x3c; &#60;</c></a>\n');
    expect(ok.attrs.x).toBe('1 & 2');
    expect(textOf(ok)).toBe('t < <');
    for (const bad of ['<a><b></a></b>', '<a>', '<a></a><b/>', '<a>&</a>', '<a>&nbsp;</a>', '<a x=1/>', '<a x="1" x="2"/>', '<a x="<"/>', 'text<a/>', '<a>]]></a>', '</a>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
  });
});

/* ------------------------------------------------------------------ */

/** A preset's documented schedule under a variant, finished round-robin, as the page replays it (as in model.test.ts). */
function replayed(id: string, variant: VariantId) {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  const schedule = documentedSchedule(scenario, variant);
  const run = replay(buildSetup(scenario), variant, schedule?.steps ?? [], { finish: true });
  const pids = scenario.tasks.map((t) => t.pid);
  const model = buildTimeline(run.trace, run.states, pids);
  const options: TimelineSvgOptions = {
    title: `${id} · ${variant}`,
    subtitle: 'exported from Faultline',
    laneLabels: pids.map(pidName),
    stepLabel: (i) => run.trace[i]?.label ?? '',
  };
  return { run, model, options };
}

describe('timelineSvg on gfs2-abba-dio under gfs2-5.15 (deadlock)', () => {
  const { run, model, options } = replayed('gfs2-abba-dio', 'gfs2-5.15');
  const svg = timelineSvg(model, { ...options, cursor: 10 });
  const root = parseXml(svg);
  const width = plotWidth(root);
  const x = (t: number) => (width * t) / model.steps;

  it('is a well-formed standalone SVG 1.1 document with a matching viewBox', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.version).toBe('1.1');
    expect(root.attrs.viewBox).toBe(`0 0 ${root.attrs.width} ${root.attrs.height}`);
    expect(n(root, 'width')).toBe(1200);
    expect(root.attrs['font-family']).toMatch(/^system-ui, .*sans-serif$/);
    expect(titleOf(root)).toBe('gfs2-abba-dio · gfs2-5.15');
    expect(textOf(byId(root, 'header'))).toBe('gfs2-abba-dio · gfs2-5.15exported from Faultline');
  });

  it('draws every hold, wait and fault span as a rect titled with its label, in its row', () => {
    const layout = laneLayout(model);
    for (const [group, spans] of [
      ['holds', model.holds],
      ['waits', model.waits],
      ['faults', model.faults],
    ] as const) {
      const rects = bars(root, group);
      expect(rects.map((r) => titleOf(r)).sort()).toEqual(labelsOf(model, spans));
      expect(rects.length).toBeGreaterThan(0);
    }
    // Each hold bar sits where the painter puts it: its slot's row, from its start to its end.
    for (let i = 0; i < model.holds.count; i++) {
      const band = layout.lanes[model.holds.lane[i] ?? -1];
      const label = model.strings[model.holds.label[i] ?? -1];
      const rect = bars(root, 'holds').find((r) => titleOf(r) === label);
      if (band === undefined || rect === undefined) throw new Error(`hold ${i} not drawn`);
      expect(n(rect, 'y')).toBe(band.holdTop + (model.holds.row[i] ?? 0) * HOLD_ROW);
      expect(n(rect, 'x')).toBeCloseTo(x(model.holds.start[i] ?? 0), 1);
      expect(n(rect, 'x') + n(rect, 'width')).toBeCloseTo(x(model.holds.end[i] ?? 0), 1);
    }
  });

  it('hatches waits with a pattern defined in <defs>, and fills holds by lock kind', () => {
    const fill = byId(root, 'waits').children.filter(isElement).flatMap((g) => findAll(g, (e) => hasClass(e, 'bars')))[0]?.attrs.fill;
    expect(fill).toMatch(/^url\(#([\w-]+)\)$/);
    const id = fill?.slice(5, -1) ?? '';
    const pattern = findAll(root, (e) => e.name === 'pattern' && e.attrs.id === id)[0];
    expect(pattern?.attrs.patternUnits).toBe('userSpaceOnUse');
    const glock = findAll(byId(root, 'holds'), (e) => hasClass(e, 'glock'))[0];
    expect(glock).toBeDefined();
  });

  it('marks the deadlock in both lanes, with the badge text and the full message as a tooltip', () => {
    const marks = findAll(byId(root, 'markers'), (e) => hasClass(e, 'marker'));
    expect(marks).toHaveLength(2);
    for (const m of marks) {
      expect(hasClass(m, 'deadlock')).toBe(true);
      expect(textOf(m)).toBe('deadlock');
      expect(titleOf(m)).toMatch(/^step \d+: deadlock: pid 101 waits for glock 2\/F2/);
    }
  });

  it('labels the lanes and their rows', () => {
    const lanes = byId(root, 'lanes');
    expect(textOf(lanes)).toContain('pid 101');
    expect(textOf(lanes)).toContain('pid 102');
    expect(findAll(lanes, (e) => e.name === 'text' && textOf(e) === 'holds')).toHaveLength(2);
  });

  it('has integer step ticks inside the domain, at their x', () => {
    const ticks = findAll(byId(root, 'axis'), (e) => hasClass(e, 'tick'));
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const values = ticks.map((t) => Number(textOf(t)));
    expect(values).toEqual([...values].sort((a, b) => a - b));
    for (const [k, tick] of ticks.entries()) {
      const v = values[k] ?? NaN;
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(model.steps);
      const line = findAll(tick, (e) => e.name === 'rect')[0];
      expect(line === undefined ? NaN : n(line, 'x')).toBe(Math.round(x(v)));
    }
  });

  it('draws the cursor line and its head at the cursor', () => {
    expect(n(byId(root, 'cursor'), 'x')).toBeCloseTo(x(10) - 1, 1);
    expect(textOf(byId(root, 'cursor-head'))).toBe('10');
    expect(svg.includes('id="cursor"')).toBe(true);
    expect(timelineSvg(model, options).includes('id="cursor"')).toBe(false);
  });

  it('draws each step once, titled with what it did, and labels the wide ones', () => {
    const steps = findAll(byId(root, 'steps'), (e) => e.name === 'rect');
    expect(steps).toHaveLength(model.steps);
    expect(titleOf(steps.find((s) => titleOf(s)?.startsWith('step 1:') === true) ?? root)).toBe('step 1: pread64(F1 O_DIRECT, buf=user page 0, 4096, 0)');
    // ~48 px per step: room for the first few characters of some labels, shortened.
    const labels = findAll(byId(root, 'steps'), (e) => e.name === 'text').map(textOf);
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) {
      expect(label).toMatch(/^.{6,}…$/u);
      expect(run.trace.some((t) => t.label.startsWith(label.slice(0, -1)))).toBe(true);
    }
  });

  it('has a legend with every lock kind, waits, faults, the retry path and the markers', () => {
    const legend = textOf(byId(root, 'legend'));
    for (const kind of LOCK_KINDS) expect(legend).toContain(LOCK_NAMES[kind]);
    expect(legend).toContain('waiting (blocked)');
    expect(legend).toContain('fault frames, nested');
    expect(legend).toContain(`retry path: ${PATH_SHORT.join(' → ')}`);
    for (const marker of ['BUG', 'deadlock', 'SIGBUS', 'use-after-free']) expect(legend).toContain(marker);
  });

  it('fits the labels it draws inside their bars, and shortens the rest with an ellipsis', () => {
    // The narrowest document: a 200 px plot, too short for the hold labels.
    const narrow = parseXml(timelineSvg(model, { ...options, width: 300 }));
    expect(plotWidth(narrow)).toBe(200);
    let shortened = 0;
    for (const group of ['holds', 'waits', 'faults']) {
      for (const kind of findAll(byId(narrow, group), (e) => e.name === 'g' && !hasClass(e, 'bars') && !hasClass(e, 'labels'))) {
        const rects = findAll(kind, (e) => e.name === 'rect');
        for (const label of findAll(kind, (e) => e.name === 'text')) {
          const text = textOf(label);
          const size = group === 'faults' ? 9 : 10;
          const bar = rects.find((r) => n(r, 'y') <= n(label, 'y') && n(label, 'y') <= n(r, 'y') + n(r, 'height') && n(r, 'x') <= n(label, 'x') && n(label, 'x') < n(r, 'x') + n(r, 'width'));
          if (bar === undefined) throw new Error(`label ${text} outside any bar`);
          expect(n(label, 'x') + textWidth(text, size)).toBeLessThanOrEqual(n(bar, 'x') + n(bar, 'width'));
          if (text.endsWith('…')) {
            shortened++;
            expect(titleOf(bar)?.startsWith(text.slice(0, -1))).toBe(true);
          } else expect(titleOf(bar)).toBe(text);
        }
      }
    }
    expect(shortened).toBeGreaterThan(0);
  });
});

describe('timelineSvg on gfs2-read-self', () => {
  it('under gfs2-5.18 draws the retry path: a polyline through five titled points, with short names', () => {
    const { model, options } = replayed('gfs2-read-self', 'gfs2-5.18');
    // Wide enough for the short names: the fault-in (with its VM_FAULT_RETRY round) takes most of the steps.
    const root = parseXml(timelineSvg(model, { ...options, width: 2400 }));
    const paths = findAll(byId(root, 'retry-paths'), (e) => hasClass(e, 'retry-path'));
    expect(paths).toHaveLength(1);
    const path = paths[0] ?? root;
    const line = findAll(path, (e) => e.name === 'polyline')[0];
    expect(line?.attrs.points?.split(' ')).toHaveLength(5);
    const dots = findAll(path, (e) => e.name === 'circle');
    expect(dots.map((d) => d.attrs.class)).toEqual([...PATH_KINDS]);
    expect(dots.map(titleOf)).toEqual(['copy short → -EFAULT', 'glock dropped', 'fault-in', 'glock re-acquired', 'copy succeeds']);
    // The x of each dot is the middle of its step.
    const width = plotWidth(root);
    dots.forEach((d, i) => expect(n(d, 'cx')).toBeCloseTo((width * ((model.path.step[i] ?? 0) + 0.5)) / model.steps, 1));
    // Drawn with a halo (twice each); the ones with room before the next point.
    const names = new Set(findAll(path, (e) => e.name === 'text').map(textOf));
    expect(names.has('-EFAULT')).toBe(true);
    expect(names.has('copy ok')).toBe(true);
    // Nested faults, one row each, by level: do_page_fault, then gfs2_fault and filemap_fault twice (VM_FAULT_RETRY, then the retry).
    expect(findAll(byId(root, 'faults'), (e) => e.name === 'g' && /^level-\d$/.test(e.attrs.class ?? '')).map((g) => g.attrs.class)).toEqual(['level-0', 'level-1', 'level-2']);
    const band = laneLayout(model).lanes[0];
    expect(bars(root, 'faults').map((r) => n(r, 'y'))).toEqual([0, 1, 1, 2, 2].map((row) => (band?.faultTop ?? NaN) + row * FAULT_ROW));
  });

  it('under gfs2-5.15 marks the BUG', () => {
    const { model, options } = replayed('gfs2-read-self', 'gfs2-5.15');
    const root = parseXml(timelineSvg(model, options));
    const marks = findAll(byId(root, 'markers'), (e) => hasClass(e, 'marker'));
    expect(marks.map(textOf)).toEqual(['BUG']);
    expect(titleOf(marks[0] ?? root)).toContain('recursive glock');
    expect(findAll(byId(root, 'retry-paths'), (e) => e.name === 'circle')).toHaveLength(0);
  });
});

describe('escaping', () => {
  const nasty = `a <b> & "c" 'd'`;
  const { model, options } = replayed('gfs2-abba-dio', 'gfs2-5.15');
  const hold = model.holds.label[0] ?? 0;
  const tricky: TimelineModel = { ...model, strings: model.strings.map((s, i) => (i === hold ? nasty : s)) };
  const svg = timelineSvg(tricky, { ...options, title: `<&>"' title`, subtitle: 'x & y', laneLabels: ['<&>"', 'pid 102'], stepLabel: () => '<step & "x">' });

  it('escapes every string it writes, so the document still parses and reads back the same', () => {
    const root = parseXml(svg);
    expect(svg).not.toContain(nasty);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;');
    expect(bars(root, 'holds').map(titleOf)).toContain(nasty);
    expect(titleOf(root)).toBe(`<&>"' title`);
    expect(textOf(byId(root, 'lanes'))).toContain('<&>"');
    expect(findAll(byId(root, 'steps'), (e) => e.name === 'rect').every((r) => titleOf(r)?.endsWith(': <step & "x">') === true)).toBe(true);
  });

  it('drops characters XML cannot hold and replaces lone surrogates', () => {
    expect(escapeXml('a\u0000b\u001fc\td\ne')).toBe('abc\td\ne');
    expect(escapeXml('x\ud800y')).toBe('x\ufffdy');
    expect(escapeXml('😀')).toBe('😀');
  });
});

describe('fitText', () => {
  it('keeps text that fits, shortens text that does not, and gives up below six characters', () => {
    const text = 'glock 2/F1 DF · gfs2_file_direct_read';
    expect(fitText(text, textWidth(text, 10) + 6, 10)).toBe(text);
    const short = fitText(text, 80, 10);
    expect(short).toMatch(/^glock 2.*…$/);
    expect(textWidth(short ?? '', 10)).toBeLessThanOrEqual(80 - 6);
    expect(fitText(text, 30, 10)).toBeNull();
    expect(fitText('ok', 20, 10)).toBeNull();
  });
});

describe('a window of steps', () => {
  const { model, options } = replayed('gfs2-abba-dio', 'gfs2-5.15');
  const from = 5;
  const to = 15;
  const root = parseXml(timelineSvg(model, { ...options, from, to, cursor: 10 }));
  const width = plotWidth(root);

  it('has ticks only inside [from, to]', () => {
    const values = findAll(byId(root, 'axis'), (e) => hasClass(e, 'tick')).map((t) => Number(textOf(t)));
    expect(values.length).toBeGreaterThanOrEqual(2);
    expect(values.every((v) => Number.isInteger(v) && v >= from && v <= to)).toBe(true);
  });

  it('draws only the steps and spans that overlap it, clipped to the plot', () => {
    let stepped = 0;
    for (let i = from; i < to; i++) if ((model.stepLane[i] ?? -1) >= 0) stepped++;
    expect(findAll(byId(root, 'steps'), (e) => e.name === 'rect')).toHaveLength(stepped);
    for (const [group, spans] of [
      ['holds', model.holds],
      ['waits', model.waits],
      ['faults', model.faults],
    ] as const) {
      const overlapping = (i: number) => (spans.start[i] ?? 0) < to && (spans.end[i] ?? 0) > from;
      const rects = bars(root, group);
      expect(rects.map(titleOf).sort()).toEqual(labelsOf(model, spans, overlapping));
      for (const r of rects) {
        expect(n(r, 'x')).toBeGreaterThanOrEqual(-1);
        expect(n(r, 'x') + n(r, 'width')).toBeLessThanOrEqual(width + 1);
      }
    }
    // The waits start at step 20 and the deadlock is marked at step 21: outside.
    expect(model.waits.count).toBeGreaterThan(0);
    expect(bars(root, 'waits')).toHaveLength(0);
    expect(findAll(byId(root, 'markers'), (e) => hasClass(e, 'marker'))).toHaveLength(0);
    expect(n(byId(root, 'cursor'), 'x')).toBeCloseTo((width * (10 - from)) / (to - from) - 1, 1);
  });

  it('leaves out a cursor outside the window', () => {
    expect(timelineSvg(model, { ...options, from, to, cursor: 20 })).not.toContain('id="cursor"');
  });
});

describe('a large synthetic timeline', () => {
  const model = syntheticTimeline(20_000, 6, 1);
  const svg = timelineSvg(model, { title: 'synthetic', laneLabels: model.pids.map(pidName), cursor: 12_000 });
  const root = parseXml(svg);

  it('is well-formed and keeps every span, each with its title', () => {
    expect(bars(root, 'holds')).toHaveLength(model.holds.count);
    expect(bars(root, 'waits')).toHaveLength(model.waits.count);
    expect(bars(root, 'faults')).toHaveLength(model.faults.count);
    expect(findAll(byId(root, 'retry-paths'), (e) => e.name === 'circle')).toHaveLength(model.path.count);
    expect(findAll(byId(root, 'markers'), (e) => hasClass(e, 'marker'))).toHaveLength(model.markers.count);
  });

  it('merges sub-pixel steps into at most one rect per lane and pixel column', () => {
    const columns = Math.ceil(plotWidth(root)) + 1;
    const rects = findAll(byId(root, 'steps'), (e) => e.name === 'rect');
    expect(rects.length).toBeLessThanOrEqual(model.lanes * columns);
    expect(rects.length).toBeLessThan(model.steps / 4);
  });

  it('stays within a size budget that grows with what must be in the file, not with the step count', () => {
    // What the file cannot do without: each span a rect (~60 B) with its label as a <title>
    // and possibly once more inside the bar; each retry-path point a titled circle (~110 B)
    // plus a polyline vertex and a haloed short name; each marker a line, a badge and its
    // message. Steps cost ~48 B per merged rect, at most lanes × pixel columns of them.
    // The frame, axis, lane labels and legend are a few kilobytes.
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    const labelBytes = (set: { count: number; label: Int32Array }) => {
      let sum = 0;
      for (let i = 0; i < set.count; i++) sum += bytes(model.strings[set.label[i] ?? -1] ?? '');
      return sum;
    };
    const spans = model.holds.count + model.waits.count + model.faults.count;
    const columns = Math.ceil(plotWidth(root)) + 1;
    const budget =
      8_000 +
      500 * model.lanes +
      100 * spans +
      2 * (labelBytes(model.holds) + labelBytes(model.waits) + labelBytes(model.faults)) +
      260 * model.path.count +
      labelBytes(model.path) +
      400 * model.markers.count +
      labelBytes(model.markers) +
      48 * model.lanes * columns;
    expect(bytes(svg)).toBeLessThan(budget);
    // For this model that budget is about 1.3 MB; one rect per step alone would add another MB.
    expect(bytes(svg)).toBeLessThan(1_000_000);
  });

  it('handles an empty timeline', () => {
    const empty = syntheticTimeline(0, 3, 1);
    const doc = parseXml(timelineSvg(empty, { title: 'empty', laneLabels: [] }));
    expect(findAll(byId(doc, 'steps'), (e) => e.name === 'rect')).toHaveLength(0);
    expect(textOf(byId(doc, 'lanes'))).toContain('lane 1');
  });
});
