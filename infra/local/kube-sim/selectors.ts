// Label and field selectors with the grammar and error messages of k8s.io/apimachinery
// (labels.Parse, fields.ParseSelector).

import { badRequest } from "./status.js";
import { goQuote } from "./go-text.js";
import { labelValueErrors, qualifiedNameErrors } from "./names.js";

type Operator = "exists" | "!" | "=" | "==" | "!=" | "in" | "notin" | ">" | "<";

interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

type TokenKind = "end" | ")" | "," | "!" | "==" | "=" | ">" | "<" | "!=" | "(" | "identifier" | "in" | "notin";

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const OPERATOR_TOKENS: readonly TokenKind[] = ["!=", "==", "=", "!", "(", ")", ",", ">", "<"];

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (SPECIAL.has(c)) {
      const two = input.slice(i, i + 2);
      const op = OPERATOR_TOKENS.find((t) => t === two) ?? OPERATOR_TOKENS.find((t) => t === c);
      tokens.push({ kind: op as TokenKind, literal: op as string });
      i += (op as string).length;
      continue;
    }
    let j = i;
    while (j < input.length && !/\s/.test(input[j] as string) && !SPECIAL.has(input[j] as string)) j += 1;
    const literal = input.slice(i, j);
    tokens.push({ kind: literal === "in" ? "in" : literal === "notin" ? "notin" : "identifier", literal });
    i = j;
  }
  tokens.push({ kind: "end", literal: "" });
  return tokens;
}

class LabelParser {
  private position = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** In value position "in" and "notin" are plain identifiers. */
  private peek(asValue: boolean): Token {
    const token = this.tokens[Math.min(this.position, this.tokens.length - 1)] as Token;
    return asValue && (token.kind === "in" || token.kind === "notin") ? { kind: "identifier", literal: token.literal } : token;
  }

  private take(asValue: boolean): Token {
    const token = this.peek(asValue);
    this.position += 1;
    return token;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const token = this.peek(true);
      if (token.kind === "end") return requirements;
      if (token.kind !== "identifier" && token.kind !== "!") {
        throw new Error(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.requirement());
      } catch (error) {
        throw new Error(`unable to parse requirement: ${(error as Error).message}`, { cause: error });
      }
      const after = this.take(true);
      if (after.kind === "end") return requirements;
      if (after.kind !== ",") throw new Error(`found '${after.literal}', expected: ',' or 'end of string'`);
      const next = this.peek(true);
      if (next.kind !== "identifier" && next.kind !== "!") throw new Error(`found '${next.literal}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let token = this.take(true);
    if (token.kind === "!") {
      negated = true;
      token = this.take(true);
    }
    if (token.kind !== "identifier") throw new Error(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    for (const msg of qualifiedNameErrors(key)) throw new Error(`key: Invalid value: ${goQuote(key)}: ${msg}`);
    const lookahead = this.peek(true);
    if (negated || lookahead.kind === "end" || lookahead.kind === ",") {
      return { key, operator: negated ? "!" : "exists", values: [] };
    }
    const op = this.take(false);
    let values: string[];
    switch (op.kind) {
      case "in":
      case "notin":
        values = this.setValues();
        break;
      case "=":
      case "==":
      case "!=":
      case ">":
      case "<":
        values = [this.exactValue()];
        break;
      default:
        throw new Error(`found '${op.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    values.forEach((value, i) => {
      if (op.kind === ">" || op.kind === "<") {
        if (!/^-?\d+$/.test(value)) throw new Error(`values[${i}]: Invalid value: ${goQuote(value)}: for 'Gt', 'Lt' operators, the value must be an integer`);
        return;
      }
      for (const msg of labelValueErrors(value)) throw new Error(`values[${i}]: Invalid value: ${goQuote(value)}: ${msg}`);
    });
    return { key, operator: op.kind as Operator, values };
  }

  private setValues(): string[] {
    const open = this.take(true);
    if (open.kind !== "(") throw new Error(`found '${open.literal}' expected: '('`);
    const first = this.peek(true);
    if (first.kind === ")") {
      this.take(true);
      return [""];
    }
    if (first.kind !== "identifier" && first.kind !== ",") throw new Error(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const token = this.take(true);
      if (token.kind === "identifier") {
        values.push(token.literal);
        const after = this.peek(true);
        if (after.kind === ",") {
          this.take(true);
          continue;
        }
        if (after.kind === ")") {
          this.take(true);
          return values;
        }
        throw new Error(`found '${after.literal}', expected: ',' or ')'`);
      }
      if (token.kind === ",") {
        values.push("");
        if (this.peek(true).kind === ")") {
          this.take(true);
          return values;
        }
        continue;
      }
      if (token.kind === ")") return values;
      throw new Error(`found '${token.literal}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string {
    const token = this.peek(true);
    if (token.kind === "end" || token.kind === ",") return "";
    this.take(true);
    if (token.kind === "identifier") return token.literal;
    throw new Error(`found '${token.literal}', expected: identifier`);
  }
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "exists":
      return has;
    case "!":
      return !has;
    case "=":
    case "==":
    case "in":
      return has && r.values.includes(value as string);
    case "!=":
    case "notin":
      return !has || !r.values.includes(value as string);
    case ">":
    case "<": {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const actual = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === ">" ? actual > bound : actual < bound;
    }
  }
}

/** Parses a labelSelector query value; a malformed one is the real server's 400. */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (text === undefined || text.trim() === "") return { matches: () => true };
  let requirements: Requirement[];
  try {
    requirements = new LabelParser(lex(text)).parse();
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  return { matches: (labels) => requirements.every((r) => requirementMatches(r, labels ?? {})) };
}

export interface FieldSelector {
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** The value an equality term pins `field` to, if any (lets a lookup skip a scan). */
  readonly pinned: ReadonlyMap<string, string>;
}

/** The field labels every custom resource supports. */
export const CUSTOM_RESOURCE_FIELDS: readonly string[] = ["metadata.name", "metadata.namespace"];

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i += 1;
    } else if (c === ",") {
      terms.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms;
}

function unescapeFieldValue(value: string): string {
  return value.replace(/\\(.)/g, "$1");
}

/** Parses a fieldSelector query value against the supported field labels. */
export function parseFieldSelector(text: string | undefined, supported: readonly string[] = CUSTOM_RESOURCE_FIELDS): FieldSelector {
  const terms: { field: string; op: "=" | "!="; value: string }[] = [];
  if (text !== undefined && text.trim() !== "") {
    for (const term of splitTerms(text)) {
      const match = /^(.*?)(!=|==|=)(.*)$/.exec(term);
      if (match === null) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const field = (match[1] as string).trim();
      terms.push({ field, op: match[2] === "!=" ? "!=" : "=", value: unescapeFieldValue(match[3] as string) });
    }
  }
  for (const term of terms) {
    if (!supported.includes(term.field)) throw badRequest(`field label not supported: ${term.field}`);
  }
  const pinned = new Map(terms.filter((t) => t.op === "=").map((t) => [t.field, t.value]));
  return {
    pinned,
    matches: (fields) => terms.every((t) => (t.op === "=" ? fields[t.field] === t.value : fields[t.field] !== t.value)),
  };
}
