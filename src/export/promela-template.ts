/**
 * The template language of the Promela model's `.pml` files
 * (src/export/promela/): Promela text, with directives on lines of their own
 * and placeholders in the text. A directive line vanishes from the output;
 * everything else is copied as it is, so the model reads as the Promela it
 * becomes.
 *
 *   //@# a note for the reader of the template, not copied
 *   //@if FLAG   //@elif FLAG   //@else   //@end
 *                       lines for one variant or reach (FLAG: a flag of the
 *                       context, `!FLAG`, `true`, `false`, joined by `||` or
 *                       by `&&`, not both)
 *   //@include NAME     the lines of NAME.pml, under the same context
 *   //@macro NAME(a, b) ... //@endmacro
 *                       lines written once and used at several places
 *   //@use NAME(x, y)   the macro's lines with {{a}} = x, {{b}} = y (split at
 *                       commas outside parentheses)
 *   //@fl PLACE         a place of the model, named for the state drift test
 *                       (promela-places.ts): the thread machine states that
 *                       this part of the model translates point at it
 *   {{name}}            a string of the context (a list of lines when it is
 *                       alone on its line)
 *   {{#FLAG}}...{{/FLAG}}  {{^FLAG}}...{{/FLAG}}
 *                       text within one line, when the flag is set / not set
 *
 * Directives and placeholders are substituted before they are read, so a
 * macro's argument may be a flag name (`//@if {{outer}}`). Anything unknown
 * (a flag, a string, a template, a macro) is an error naming the file and
 * line: a misspelt flag must not quietly drop code from the model.
 *
 * Must stay pure engine code: the texts come from promela-templates.ts,
 * generated from the .pml files by scripts/gen-promela.ts.
 */

export type TemplateValue = string | boolean | readonly string[];
export type TemplateContext = Readonly<Record<string, TemplateValue>>;
export type TemplateSources = Readonly<Record<string, string>>;

interface Macro {
  readonly params: readonly string[];
  readonly body: readonly string[];
  readonly file: string;
  readonly line: number;
}

const DIRECTIVE = /^\s*\/\/@(#|\w+)\s?(.*)$/;
const STANDALONE = /^\{\{(\w+)\}\}$/;

class TemplateError extends Error {}

function fail(file: string, line: number, message: string): never {
  throw new TemplateError(`${file}.pml:${line}: ${message}`);
}

/** Split `a, (b, c), d` at the commas outside parentheses. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || args.length > 0) args.push(last);
  return args;
}

/** NAME(args) → [NAME, args], or null. */
function call(text: string): readonly [string, string[]] | null {
  const m = /^([\w-]+)\((.*)\)\s*$/.exec(text.trim());
  return m === null ? null : [m[1] ?? '', splitArgs(m[2] ?? '')];
}

/** The macros every template defines, by name (one namespace for all files). */
function macrosOf(sources: TemplateSources): Map<string, Macro> {
  const macros = new Map<string, Macro>();
  for (const [file, text] of Object.entries(sources)) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const d = DIRECTIVE.exec(lines[i] ?? '');
      if (d === null || d[1] !== 'macro') continue;
      const head = call(d[2] ?? '');
      if (head === null) fail(file, i + 1, `a macro is written //@macro NAME(param, ...), not "${d[2] ?? ''}"`);
      const [name, params] = head;
      if (macros.has(name)) fail(file, i + 1, `macro ${name} is defined twice`);
      const end = lines.findIndex((l, j) => j > i && DIRECTIVE.exec(l)?.[1] === 'endmacro');
      if (end < 0) fail(file, i + 1, `macro ${name} has no //@endmacro`);
      macros.set(name, { params, body: lines.slice(i + 1, end), file, line: i + 2 });
      i = end;
    }
  }
  return macros;
}

/** The text of a template without its macro definitions (they render only where used). */
function withoutMacros(lines: readonly string[]): (string | null)[] {
  let inside = false;
  return lines.map((l) => {
    const kind = DIRECTIVE.exec(l)?.[1];
    if (kind === 'macro') inside = true;
    const keep = !inside;
    if (kind === 'endmacro') inside = false;
    return keep ? l : null;
  });
}

class Renderer {
  private readonly macros: Map<string, Macro>;

  constructor(private readonly sources: TemplateSources) {
    this.macros = macrosOf(sources);
  }

  private flag(ctx: TemplateContext, name: string, file: string, line: number): boolean {
    if (name === 'true') return true;
    if (name === 'false') return false;
    const v = ctx[name];
    if (typeof v !== 'boolean') fail(file, line, v === undefined ? `unknown flag "${name}"` : `"${name}" is not a flag`);
    return v;
  }

  private cond(ctx: TemplateContext, text: string, file: string, line: number): boolean {
    const t = text.trim();
    if (t.includes('||') && t.includes('&&')) fail(file, line, `a condition joins with || or with &&, not both: "${t}"`);
    const lit = (s: string) => {
      const x = s.trim();
      return x.startsWith('!') ? !this.flag(ctx, x.slice(1).trim(), file, line) : this.flag(ctx, x, file, line);
    };
    if (t.includes('||')) return t.split('||').some(lit);
    if (t.includes('&&')) return t.split('&&').every(lit);
    return lit(t);
  }

  /** Inline sections, then strings. */
  private substitute(ctx: TemplateContext, text: string, file: string, line: number): string {
    const sections = text.replace(/\{\{([#^])(\w+)\}\}(.*?)\{\{\/\2\}\}/g, (_all, kind: string, name: string, inner: string) => (this.flag(ctx, name, file, line) === (kind === '#') ? inner : ''));
    return sections.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => {
      const v = ctx[name];
      if (typeof v !== 'string') fail(file, line, v === undefined ? `unknown placeholder {{${name}}}` : `{{${name}}} is not a string here`);
      return v;
    });
  }

  render(name: string, ctx: TemplateContext): string[] {
    const text = this.sources[name];
    if (text === undefined) throw new TemplateError(`no template ${name}.pml`);
    // The file's last newline ends its last line; it is not an empty line of the model.
    return this.lines(withoutMacros(text.replace(/\n$/, '').split('\n')), 1, name, ctx);
  }

  /** Render `lines` (null: a line of a macro definition, skipped), the first being line `first` of `file`. */
  private lines(lines: readonly (string | null)[], first: number, file: string, ctx: TemplateContext): string[] {
    const out: string[] = [];
    // One entry per open //@if: is this branch on, has any branch been taken, is the enclosing block on.
    const stack: { on: boolean; taken: boolean; outer: boolean }[] = [];
    const active = () => stack.every((s) => s.on);
    lines.forEach((raw, i) => {
      if (raw === null) return;
      const at = first + i;
      const d = DIRECTIVE.exec(raw);
      if (d === null) {
        if (!active()) return;
        const alone = STANDALONE.exec(raw.trim());
        const v = alone === null ? undefined : ctx[alone[1] ?? ''];
        if (alone !== null && raw === raw.trim() && Array.isArray(v)) out.push(...(v as readonly string[]));
        else out.push(this.substitute(ctx, raw, file, at));
        return;
      }
      const kind = d[1] ?? '';
      const arg = d[2] ?? '';
      const top = stack[stack.length - 1];
      switch (kind) {
        case 'if': {
          const outer = active();
          const on = outer && this.cond(ctx, this.substitute(ctx, arg, file, at), file, at);
          stack.push({ on, taken: on, outer });
          return;
        }
        case 'elif':
        case 'else': {
          if (top === undefined) fail(file, at, `//@${kind} without //@if`);
          const on = top.outer && !top.taken && (kind === 'else' || this.cond(ctx, this.substitute(ctx, arg, file, at), file, at));
          top.on = on;
          top.taken ||= on;
          return;
        }
        case 'end':
          if (stack.pop() === undefined) fail(file, at, '//@end without //@if');
          return;
        case '#':
        case 'fl':
          return;
        case 'include':
          if (active()) out.push(...this.render(arg.trim(), ctx));
          return;
        case 'use': {
          if (!active()) return;
          const used = call(this.substitute(ctx, arg, file, at));
          if (used === null) fail(file, at, `a macro is used as //@use NAME(arg, ...), not "${arg}"`);
          const [name, args] = used;
          const macro = this.macros.get(name);
          if (macro === undefined) fail(file, at, `unknown macro ${name}`);
          if (args.length !== macro.params.length) fail(file, at, `macro ${name} takes ${macro.params.length} arguments (${macro.params.join(', ')}), not ${args.length}`);
          const bound: Record<string, TemplateValue> = { ...ctx };
          macro.params.forEach((p, j) => (bound[p] = args[j] ?? ''));
          out.push(...this.lines(macro.body, macro.line, macro.file, bound));
          return;
        }
        default:
          fail(file, at, `unknown directive //@${kind}`);
      }
    });
    if (stack.length > 0) fail(file, first + lines.length - 1, 'an //@if has no //@end');
    return out;
  }
}

/** One renderer per set of sources: their macros are read once. */
const renderers = new WeakMap<TemplateSources, Renderer>();

/** Render template `name` (NAME.pml) under `ctx`, as text (lines joined by newlines). */
export function renderTemplate(sources: TemplateSources, name: string, ctx: TemplateContext): string {
  let renderer = renderers.get(sources);
  if (renderer === undefined) {
    renderer = new Renderer(sources);
    renderers.set(sources, renderer);
  }
  return renderer.render(name, ctx).join('\n');
}

/** The places (`//@fl PLACE`) each template names, in order. */
export function templatePlaces(sources: TemplateSources): { readonly place: string; readonly file: string; readonly line: number }[] {
  return Object.entries(sources).flatMap(([file, text]) =>
    text.split('\n').flatMap((l, i) => {
      const d = DIRECTIVE.exec(l);
      return d !== null && d[1] === 'fl' ? (d[2] ?? '').trim().split(/\s+/).map((place) => ({ place, file, line: i + 1 })) : [];
    }),
  );
}
