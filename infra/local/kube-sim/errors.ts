import { TerminalError } from "../../../lib/errors.js";

/** The simulator was started with options or CRDs it cannot serve. */
export class KubeSimConfigError extends TerminalError {}

/**
 * A request handler stops and answers with this Kubernetes response (a Status object, or the plain
 * "404 page not found"). From the simulator's side the request is finished, whatever the code says
 * about retrying on the client's side; hence terminal.
 */
export class KubeResponseError extends TerminalError {
  constructor(
    readonly status: number,
    readonly body: Readonly<Record<string, unknown>> | string,
    readonly extraHeaders: Readonly<Record<string, string | readonly string[]>> = {},
  ) {
    super(typeof body === "string" ? body.trim() : String(body["message"] ?? `HTTP ${status}`));
  }
}

/** A request body is not valid JSON; the message is Go's encoding/json wording. */
export class JsonSyntaxError extends TerminalError {}

/** A JSON patch operation cannot apply to the object (kube-apiserver answers 422). */
export class JsonPatchApplyError extends TerminalError {}
