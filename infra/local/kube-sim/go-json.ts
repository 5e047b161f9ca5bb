// A JSON reader that fails with the messages of Go's encoding/json (which kube-apiserver passes on
// to clients) and reports duplicate keys with their field path, as kube-apiserver's strict decoder
// does ("duplicate field \"spec.x\""). The last duplicate wins, like in Go.

import { JsonSyntaxError } from "./errors.js";
import { goQuoteByte } from "./go-text.js";

export type JsonReadResult =
  | { readonly ok: true; readonly value: unknown; readonly duplicates: readonly string[] }
  | { readonly ok: false; readonly message: string };

const encoder = new TextEncoder();

function joinPath(base: string, key: string): string {
  return base === "" ? key : `${base}.${key}`;
}

class Reader {
  private pos = 0;
  readonly duplicates: string[] = [];

  constructor(
    private readonly text: string,
    /** Each character stands for one byte (text decoded as latin1 from arbitrary bytes). */
    private readonly bytewise: boolean,
  ) {}

  private fail(context: string): never {
    if (this.pos >= this.text.length) throw new JsonSyntaxError("unexpected end of JSON input");
    const codePoint = this.text.codePointAt(this.pos) as number;
    // Go reports the first byte of the offending UTF-8 sequence.
    const firstByte = this.bytewise ? codePoint : (encoder.encode(String.fromCodePoint(codePoint))[0] as number);
    throw new JsonSyntaxError(`invalid character ${goQuoteByte(firstByte)} ${context}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos += 1;
      else break;
    }
  }

  readDocument(): unknown {
    this.skipSpace();
    const value = this.readValue("");
    this.skipSpace();
    if (this.pos < this.text.length) this.fail("after top-level value");
    return value;
  }

  private readValue(path: string): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.readObject(path);
    if (c === "[") return this.readArray(path);
    if (c === '"') return this.readString();
    if (c === "t") return this.readLiteral("true", true);
    if (c === "f") return this.readLiteral("false", false);
    if (c === "n") return this.readLiteral("null", null);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.readNumber();
    return this.fail("looking for beginning of value");
  }

  private readLiteral(word: string, value: unknown): unknown {
    for (let i = 0; i < word.length; i += 1) {
      if (this.text[this.pos] !== word[i]) this.fail(`in literal ${word} (expecting ${goQuoteByte(word.charCodeAt(i))})`);
      this.pos += 1;
    }
    return value;
  }

  private readNumber(): number {
    const start = this.pos;
    if (this.text[this.pos] === "-") this.pos += 1;
    const digit = (): boolean => {
      const c = this.text[this.pos];
      return c !== undefined && c >= "0" && c <= "9";
    };
    if (this.text[this.pos] === "0") this.pos += 1;
    else if (digit()) while (digit()) this.pos += 1;
    else this.fail("in numeric literal");
    if (this.text[this.pos] === ".") {
      this.pos += 1;
      if (!digit()) this.fail("after decimal point in numeric literal");
      while (digit()) this.pos += 1;
    }
    if (this.text[this.pos] === "e" || this.text[this.pos] === "E") {
      this.pos += 1;
      if (this.text[this.pos] === "+" || this.text[this.pos] === "-") this.pos += 1;
      if (!digit()) this.fail("in exponent of numeric literal");
      while (digit()) this.pos += 1;
    }
    return Number(this.text.slice(start, this.pos));
  }

  private readString(): string {
    this.pos += 1; // opening quote
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("in string literal");
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos += 1;
        return out;
      }
      if (c < 0x20) this.fail("in string literal");
      if (c !== 0x5c) {
        out += this.text[this.pos];
        this.pos += 1;
        continue;
      }
      this.pos += 1;
      const e = this.text[this.pos];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.pos += 1;
      } else if (e === "u") {
        this.pos += 1;
        const hex = this.text.slice(this.pos, this.pos + 4);
        for (let i = 0; i < 4; i += 1) {
          if (!/[0-9a-fA-F]/.test(this.text[this.pos] ?? "")) this.fail("in \\u hexadecimal character escape");
          this.pos += 1;
        }
        out += String.fromCharCode(parseInt(hex, 16));
      } else {
        this.fail("in string escape code");
      }
    }
  }

  private readObject(path: string): Record<string, unknown> {
    this.pos += 1;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos += 1;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("looking for beginning of object key string");
      const key = this.readString();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("after object key");
      this.pos += 1;
      const childPath = joinPath(path, key);
      const value = this.readValue(childPath);
      if (seen.has(key)) this.duplicates.push(childPath);
      seen.add(key);
      // defineProperty keeps a "__proto__" key an ordinary property.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos += 1;
        continue;
      }
      if (c === "}") {
        this.pos += 1;
        return out;
      }
      this.fail("after object key:value pair");
    }
  }

  private readArray(path: string): unknown[] {
    this.pos += 1;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos += 1;
      return out;
    }
    for (;;) {
      out.push(this.readValue(`${path}[${out.length}]`));
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos += 1;
        continue;
      }
      if (c === "]") {
        this.pos += 1;
        return out;
      }
      this.fail("after array element");
    }
  }
}

/** Parses one JSON document (`bytewise`: `text` holds raw bytes, one per character). */
export function readJson(text: string, bytewise = false): JsonReadResult {
  const reader = new Reader(text, bytewise);
  try {
    const value = reader.readDocument();
    return { ok: true, value, duplicates: reader.duplicates };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, message: error.message };
    throw error;
  }
}
