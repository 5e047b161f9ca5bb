// Public surface of the simulated Kubernetes API server.

export { startKubeSim } from "./server.js";
export type { KubeSim, KubeSimOptions, StoredObjectFilter } from "./server.js";
export type { AdmissionCheck, AdmissionDecision, AdmissionOperation } from "./admission.js";
export type { KubeVerb } from "./api-request.js";
export type { FlowControlSettings, KubeSimFlowControl } from "./flow-control.js";
export type { FaultHandle, FaultMatch, FaultRule, KubeSimFault, KubeSimFaults } from "./faults.js";
export type { FaultKind, KubeSimRequestRecord, KubeSimRequests, RequestFilter } from "./request-log.js";
export { kubeconfigFile, kubeconfigOptions, kubeconfigYaml, writeKubeconfig } from "./kubeconfig.js";
export type { KubeconfigFile, KubeconfigOptions, KubeconfigTarget } from "./kubeconfig.js";
export { KubeSimConfigError } from "./errors.js";
export { createClusterTls, type ClusterTls } from "./tls.js";
