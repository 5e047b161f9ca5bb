// YAML text for plain data (what normalization produces: strings, numbers, booleans, null, arrays,
// objects), byte for byte what the `yaml` package (2.x) writes for it with `lineWidth: 0` — the writer
// every managed/ file was written with before issue #18. Every managed file of every fabric keeps its
// bytes: a different writer would rewrite all of them on their next sync.
//
// Why not a library: parsing moved to js-yaml (lib/hedgehog/parse.ts), whose dump() quotes, indents and
// escapes differently, and a bundle carries one YAML library. So this is yaml 2.9's stringifier
// (stringify/stringifyString.js, stringifyPair.js, stringifyCollection.js, stringifyNumber.js) for
// block style without comments, anchors, tags or folding, ported rule for rule; a property test holds
// it to the package's own output (test/unit/hedgehog/yaml-writer.test.ts). Pure.

export interface YamlWriterOptions {
  /** Indent sequence items under their key (yaml's `indentSeq`, default true). */
  readonly indentSeq?: boolean;
  /** Strings to write double-quoted whatever else would do (normalization's YAML 1.1 look-alikes). */
  readonly forceDoubleQuote?: (value: string) => boolean;
}

interface Context {
  readonly indent: string;
  readonly implicitKey: boolean;
  readonly indentSeq: boolean;
  readonly forceDoubleQuote: (value: string) => boolean;
  /** Set by a root-level plain string holding a document marker (yaml's ctx.forceBlockIndent). */
  forceBlockIndent?: boolean;
}

const INDENT_STEP = "  ";
/** yaml's doubleQuotedMinMultiLineLength. */
const DOUBLE_QUOTED_MIN_MULTILINE = 40;

// The YAML 1.2 core schema's implicit types (yaml/dist/schema/core): a plain string matching one of
// these would be read back as something else, so it is quoted.
const CORE_IMPLICIT = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

const containsDocumentMarker = (str: string): boolean => /^(%|---|\.\.\.)/m.test(str);

function doubleQuoted(value: string, ctx: Context): string {
  const json = JSON.stringify(value);
  const { implicitKey } = ctx;
  const indent = ctx.indent || (containsDocumentMarker(value) ? "  " : "");
  let str = "";
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === " " && json[i + 1] === "\\" && json[i + 2] === "n") {
      // A space before a newline is escaped, or folding would eat it.
      str += json.slice(start, i) + "\\ ";
      i += 1;
      start = i;
      ch = "\\";
    }
    if (ch === "\\") {
      switch (json[i + 1]) {
        case "u": {
          str += json.slice(start, i);
          const code = json.substr(i + 2, 4);
          switch (code) {
            case "0000":
              str += "\\0";
              break;
            case "0007":
              str += "\\a";
              break;
            case "000b":
              str += "\\v";
              break;
            case "001b":
              str += "\\e";
              break;
            case "0085":
              str += "\\N";
              break;
            case "00a0":
              str += "\\_";
              break;
            case "2028":
              str += "\\L";
              break;
            case "2029":
              str += "\\P";
              break;
            default:
              str += code.substr(0, 2) === "00" ? "\\x" + code.substr(2) : json.substr(i, 6);
          }
          i += 5;
          start = i + 1;
          break;
        }
        case "n":
          if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTILINE) {
            i += 1;
          } else {
            // A line break in the text is written as one, with an empty line (folding eats the first).
            str += json.slice(start, i) + "\n\n";
            while (json[i + 2] === "\\" && json[i + 3] === "n" && json[i + 4] !== '"') {
              str += "\n";
              i += 2;
            }
            str += indent;
            // A space after a newline is escaped, or folding would eat it.
            if (json[i + 2] === " ") str += "\\";
            i += 1;
            start = i + 1;
          }
          break;
        default:
          i += 1;
      }
    }
  }
  return start ? str + json.slice(start) : json;
}

function singleQuoted(value: string, ctx: Context): string {
  if ((ctx.implicitKey && value.includes("\n")) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, ctx);
  const indent = ctx.indent || (containsDocumentMarker(value) ? "  " : "");
  return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
}

function quoted(value: string, ctx: Context): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, ctx) : doubleQuoted(value, ctx);
}

const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

function blockString(value: string, ctx: Context): string {
  // A block cannot end in whitespace unless the last line has text; only-whitespace is written quoted.
  if (/\n[\t ]+$/.test(value)) return quoted(value, ctx);
  const indent = ctx.indent || (ctx.forceBlockIndent || containsDocumentMarker(value) ? "  " : "");
  if (!value) return "|\n";
  // Chomping from the whitespace at the end.
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== "\n" && ch !== "\t" && ch !== " ") break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf("\n");
  const chomp = endNlPos === -1 ? "-" : value === end || endNlPos !== end.length - 1 ? "+" : "";
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === "\n") end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  // An indentation indicator when the text starts with a space.
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === " ") startWithSpace = true;
    else if (ch === "\n") startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? (indent ? "2" : "1") : "") + chomp;
  // Without a line width nothing is folded: always literal.
  value = value.replace(/\n+/g, `$&${indent}`);
  return `|${header}\n${indent}${start}${value}${end}`;
}

function plainString(value: string, ctx: Context): string {
  const { implicitKey, indent } = ctx;
  if (implicitKey && value.includes("\n")) return quoted(value, ctx);
  if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
    // Not plain: an indicator first, ': ' or ' #' inside, space or ':' last, ...
    return implicitKey || !value.includes("\n") ? quoted(value, ctx) : blockString(value, ctx);
  }
  // Multi-line text reads best as a block.
  if (!implicitKey && value.includes("\n")) return blockString(value, ctx);
  if (containsDocumentMarker(value)) {
    if (indent === "") {
      ctx.forceBlockIndent = true;
      return blockString(value, ctx);
    }
    if (implicitKey && indent === INDENT_STEP) return quoted(value, ctx);
  }
  const str = value.replace(/\n+/g, `$&\n${indent}`);
  // A string that the core schema would read as null, a boolean or a number is quoted.
  if (CORE_IMPLICIT.some((pattern) => pattern.test(str))) return quoted(value, ctx);
  return str;
}

function stringOf(value: string, ctx: Context): string {
  // Control characters and lone surrogates only fit in double quotes (yaml's own test).
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (ctx.forceDoubleQuote(value) || /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(value)) return doubleQuoted(value, ctx);
  return plainString(value, ctx);
}

function numberOf(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value < 0 ? "-.inf" : ".inf";
  return Object.is(value, -0) ? "-0" : JSON.stringify(value);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function node(value: unknown, ctx: Context): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberOf(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "string") return stringOf(value, ctx);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const itemCtx: Context = { ...ctx, indent: ctx.indent + INDENT_STEP, implicitKey: false };
    return value.map((item) => `- ${node(item, { ...itemCtx })}`).join(`\n${ctx.indent}`);
  }
  if (isObject(value)) {
    // As yaml: a key whose value is undefined is not written.
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    if (keys.length === 0) return "{}";
    return keys.map((key) => pair(key, value[key], { ...ctx, implicitKey: false })).join(`\n${ctx.indent}`);
  }
  throw new TypeError(`cannot write a ${typeof value} as YAML`);
}

function pair(key: string, value: unknown, ctx: Context): string {
  const indent = ctx.indent;
  let str = node(key, { ...ctx, implicitKey: true, indent: indent + INDENT_STEP });
  const explicitKey = str.length > 1024;
  str = explicitKey ? `? ${str}\n${indent}:` : `${str}:`;
  let valueIndent = indent + INDENT_STEP;
  // indentSeq false: "- " counts as the indentation of a sequence under its key.
  if (!ctx.indentSeq && !explicitKey && Array.isArray(value)) valueIndent = valueIndent.substring(2);
  const valueCtx: Context = { ...ctx, implicitKey: false, indent: valueIndent };
  const valueStr = node(value, valueCtx);
  let ws = " ";
  const collection = Array.isArray(value) || isObject(value);
  if (!explicitKey && collection) {
    const empty = Array.isArray(value) ? value.length === 0 : Object.values(value as object).every((v) => v === undefined);
    if (valueStr.includes("\n") || !empty) ws = `\n${valueIndent}`;
  } else if (valueStr === "" || valueStr[0] === "\n") {
    ws = "";
  }
  return str + ws + valueStr;
}

/** The YAML document for `value` (one document, ending in a newline). */
export function writeYaml(value: unknown, options: YamlWriterOptions = {}): string {
  const ctx: Context = { indent: "", implicitKey: false, indentSeq: options.indentSeq ?? true, forceDoubleQuote: options.forceDoubleQuote ?? (() => false) };
  return `${node(value, ctx)}\n`;
}
