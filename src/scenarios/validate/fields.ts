/**
 * The words of validation errors: where (a path from the scenario,
 * `tasks[1].program[0].file`) and what, with values described and quoted
 * the same way in every message. Nothing here knows what a scenario is.
 */
export interface ValidationError {
  /** The field, as a path from the scenario: `tasks[1].program[0].file`; '' for the whole scenario. */
  readonly path: string;
  readonly message: string;
}

/** A report this long is long enough to fix the input; more would only cost memory. */
export const MAX_ERRORS = 200;

export type Obj = Readonly<Record<string, unknown>>;

export class Report {
  readonly errors: ValidationError[] = [];
  add(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message });
  }
}

/** Only own properties: an inherited `constructor` or `__proto__` is not a field. */
export function field(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A value quoted for a message: short, on one line, whatever it is. */
export function quote(text: string): string {
  return JSON.stringify(clip(text));
}

/** What a value is, for "must be X, not Y" messages; never calls the value's own methods. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
      return `the number ${Number.isFinite(value) ? clip(String(value)) : String(value)}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

export function member(path: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && key.length <= 40) return path === '' ? key : `${path}.${key}`;
  return `${path}[${quote(key)}]`;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function pagesText(from: number, count: number): string {
  return count === 1 ? `page ${from}` : `pages ${from}–${from + count - 1}`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
