export { IllegalTransitionError } from "./errors.js";
export { RESOURCE_STATES, SEVERITY_ORDER, compareSeverity, isResourceState, rollUp, severityOf } from "./states.js";
export type { ResourceState } from "./states.js";
export { FORGOTTEN, OBSERVATIONS, TRANSITIONS, UNTRACKED, canTransition, next, replay } from "./transitions.js";
export type { Forgotten, FromState, IllegalCell, NextState, Observation, TransitionCell, Untracked } from "./transitions.js";
