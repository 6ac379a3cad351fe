/**
 * The field checks every part of a scenario is made of: each takes a value
 * that is `unknown`, reports what is wrong with it in plain words under its
 * path (`tasks[1].program[0].file`) and returns the typed value, or
 * undefined after reporting. Nothing here knows what a scenario is.
 */
export interface ValidationError {
  /** The field, as a path from the scenario: `tasks[1].program[0].file`; '' for the whole scenario. */
  readonly path: string;
  readonly message: string;
}

/** A report this long is long enough to fix the input; more would only cost memory. */
const MAX_ERRORS = 200;

export type Obj = Readonly<Record<string, unknown>>;

export class Report {
  readonly errors: ValidationError[] = [];
  add(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message });
  }
}

export function has<K extends string>(table: Readonly<Record<K, unknown>>, key: string): key is K {
  return Object.hasOwn(table, key);
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

export function asObject(r: Report, path: string, value: unknown, what: string): Obj | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    r.add(path, `${what} must be an object, not ${describe(value)}`);
    return undefined;
  }
  // Narrowed by the checks above; property reads go through field().
  return value as Obj;
}

export function onlyKnown(r: Report, path: string, obj: Obj, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) r.add(member(path, key), `unknown field ${quote(key)}: ${what} has only ${allowed.join(', ')}`);
  }
}

export function asArray(r: Report, path: string, value: unknown, min: number, max: number, what: string): readonly unknown[] | undefined {
  if (!Array.isArray(value)) {
    r.add(path, value === undefined ? `required: a list of ${what}` : `must be a list of ${what}, not ${describe(value)}`);
    return undefined;
  }
  if (value.length < min || value.length > max) {
    r.add(path, `has ${plural(value.length, 'entry', 'entries')}; ${min === 0 ? `at most ${max}` : `${min} to ${max}`} ${what} are allowed`);
    return undefined;
  }
  // Array.from turns holes of a sparse array into undefined, which the entry checks then report.
  return Array.from(value);
}

export function asInt(r: Report, path: string, value: unknown, min: number, max: number, what: string): number | undefined {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  if (value === undefined) {
    r.add(path, `required: ${what}, an integer ${range}`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    r.add(path, `${what} must be an integer ${range}, not ${describe(value)}`);
    return undefined;
  }
  if (value < min || value > max) {
    r.add(path, `${what} must be ${range}, not ${clip(String(value))}`);
    return undefined;
  }
  return value;
}

export function asString(r: Report, path: string, value: unknown, min: number, max: number, what: string): string | undefined {
  if (typeof value !== 'string') {
    r.add(path, value === undefined ? `required: ${what}, a string` : `${what} must be a string, not ${describe(value)}`);
    return undefined;
  }
  if (value.length < min) {
    r.add(path, `${what} must not be empty`);
    return undefined;
  }
  if (value.length > max) {
    r.add(path, `${what} is ${value.length} characters long; at most ${max} are allowed`);
    return undefined;
  }
  return value;
}

export function asBoolean(r: Report, path: string, value: unknown, what: string): boolean | undefined {
  if (typeof value !== 'boolean') {
    r.add(path, value === undefined ? `required: ${what}, true or false` : `${what} must be true or false, not ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function asOneOf<K extends string>(r: Report, path: string, value: unknown, table: Readonly<Record<K, unknown>>, what: string): K | undefined {
  const allowed = Object.keys(table).map((k) => `'${k}'`).join(', ');
  if (typeof value !== 'string' || !has(table, value)) {
    r.add(path, value === undefined ? `required: ${what}, one of ${allowed}` : `${what} must be one of ${allowed}, not ${describe(value)}`);
    return undefined;
  }
  return value;
}
