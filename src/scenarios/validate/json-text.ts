/**
 * Where a scenario file's text stops being JSON, in words and with a line
 * and column. V8's JSON.parse names the position for some errors only
 * ("Unexpected token 'x', "..." is not valid JSON" has none, and quotes the
 * text across lines), so the text it refused goes through jsonc-parser (the
 * JSON scanner and parser of VS Code), set to strict JSON: no comments, no
 * trailing commas, no empty text.
 */
import { createScanner, printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';

/** jsonc-parser's error codes by name (its enums are const, which this build cannot read at run time). */
type ErrorName = ReturnType<typeof printParseErrorCode>;

/**
 * jsonc-parser's parser recurses once per level. Scenarios nest about ten
 * deep; text nested deeper than this is refused on the scanner's tokens
 * alone, which never recurses.
 */
export const MAX_JSON_DEPTH = 1000;

export interface JsonSyntaxError {
  /** Offset in the text, in UTF-16 code units. */
  readonly position: number;
  readonly problem: string;
}

/** UTF-8 length without TextEncoder, which the engine's plain-ES target does not declare. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    // Each half of a surrogate pair counts 2: the pair is 4 bytes.
    else if (unit >= 0xd800 && unit <= 0xdfff) bytes += 2;
    else bytes += 3;
  }
  return bytes;
}

/** Line and column (from 1) of a position in the text. */
export function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

/** The first place the text nests deeper than MAX_JSON_DEPTH, or null. */
function tooDeep(text: string): JsonSyntaxError | null {
  const scanner = createScanner(text, true);
  let depth = 0;
  // Each scan consumes at least one character until the end. A bracket token is its first character; a string's starts with a quote.
  while (scanner.getPosition() < text.length) {
    scanner.scan();
    const first = text.charCodeAt(scanner.getTokenOffset());
    if (first === 0x7b || first === 0x5b) depth++;
    else if (first === 0x7d || first === 0x5d) depth--;
    if (depth > MAX_JSON_DEPTH) return { position: scanner.getTokenOffset(), problem: `nested more than ${MAX_JSON_DEPTH} levels deep` };
  }
  return null;
}

interface Found {
  readonly error: ErrorName;
  readonly offset: number;
  readonly length: number;
  /** The innermost object or array open at the error, if any. */
  readonly inside: '{' | '[' | null;
  /** Whether a whole top-level value had been read before it. */
  readonly afterValue: boolean;
}

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

/** What was expected, for an error that says so; null for one that is a problem of its own. */
function expected(error: ErrorName, inside: Found['inside']): string | null {
  switch (error) {
    case 'ValueExpected':
      return 'expected a value';
    case 'PropertyNameExpected':
      return 'expected a double-quoted property name';
    case 'ColonExpected':
      return "expected ':' after a property name";
    case 'CommaExpected':
      return `expected ',' or '${inside === '{' ? '}' : ']'}'`;
    case 'CloseBraceExpected':
      return "expected ',' or '}'";
    case 'CloseBracketExpected':
      return "expected ',' or ']'";
    default:
      return null;
  }
}

/** A problem inside one token, in words. */
function tokenProblem(error: ErrorName): string {
  switch (error) {
    case 'UnexpectedEndOfString':
      return 'an unterminated string';
    case 'InvalidCharacter':
      return 'a control character inside a string';
    case 'InvalidEscapeCharacter':
      return 'a bad escape in a string';
    case 'InvalidUnicode':
      return 'a bad \\u escape';
    case 'UnexpectedEndOfNumber':
    case 'InvalidNumberFormat':
      return 'a number cut short: digits must follow a sign, a decimal point or an exponent';
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return 'a comment: JSON has none';
    case 'EndOfFileExpected':
      return 'unexpected text after the end of the JSON value';
    default:
      return 'not JSON';
  }
}

/** The text at `offset`, quoted for a message: the bad token, short. */
function quoted(text: string, offset: number, length: number): string {
  const token = text.slice(offset, offset + Math.max(1, Math.min(length, 20)));
  return JSON.stringify(token);
}

/** Where the text stops being JSON and why, or null when it is JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  const deep = tooDeep(text);
  if (deep !== null) return deep;
  const found: Found[] = [];
  const open: ('{' | '[')[] = [];
  let values = 0;
  const ended = () => {
    if (open.length === 0) values++;
  };
  visit(
    text,
    {
      onObjectBegin: () => void open.push('{'),
      onObjectEnd: () => {
        open.pop();
        ended();
      },
      onArrayBegin: () => void open.push('['),
      onArrayEnd: () => {
        open.pop();
        ended();
      },
      onLiteralValue: ended,
      onError: (error: ParseErrorCode, offset: number, length: number) => {
        // The first error and the one after it: an unknown word is followed by what was expected in its place.
        if (found.length < 2) found.push({ error: printParseErrorCode(error), offset, length, inside: open[open.length - 1] ?? null, afterValue: values > 0 });
      },
    },
    STRICT,
  );
  const [first, next] = found;
  if (first === undefined) return null;
  const atEnd = first.offset >= text.length;
  const want = expected(first.error, first.inside);
  if (want !== null) {
    if (atEnd) return { position: first.offset, problem: 'unexpected end of text' };
    return { position: first.offset, problem: first.error === 'ValueExpected' ? `unexpected ${quoted(text, first.offset, 1)}: ${want}` : want };
  }
  if (first.error === 'InvalidSymbol') {
    if (first.afterValue && first.inside === null) return { position: first.offset, problem: tokenProblem('EndOfFileExpected') };
    const then = next === undefined ? null : expected(next.error, next.inside);
    return { position: first.offset, problem: `unexpected ${quoted(text, first.offset, first.length)}: ${then ?? 'expected a value'}` };
  }
  return { position: first.offset, problem: tokenProblem(first.error) };
}
