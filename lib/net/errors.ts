// Errors of outbound requests refused before they are sent. Terminal: the operator's allow-list, not
// the remote side, decides, so a retry cannot help.
import { TerminalError } from "../errors.js";

/** The URL's host or scheme is not allowed (HH_GITOPS_ALLOWED_HOSTS, https only). */
export class HostNotAllowedError extends TerminalError {}

/** A server answered with more redirects than we follow, or a redirect without a usable Location. */
export class RedirectRefusedError extends TerminalError {}
