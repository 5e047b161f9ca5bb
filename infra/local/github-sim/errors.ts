// The simulator's one error: a request GitHub would refuse, carrying the status and GitHub's body.
import { TerminalError } from "../../../lib/errors.js";
import type { BasicErrorBody } from "./types.js";

const DOCS = "https://docs.github.com/rest";

export class ApiRejectionError extends TerminalError {
  readonly body: BasicErrorBody;
  constructor(
    readonly status: number,
    message: string,
    documentationUrl: string = DOCS,
  ) {
    super(message);
    this.body = { message, documentation_url: documentationUrl, status: String(status) };
  }
}
