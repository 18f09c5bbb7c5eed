/** The API shapes the console reads (docs/openapi.json has them all). */

export interface ListMetadata {
  readonly first?: string;
  readonly next?: string;
}

export interface Environment {
  readonly id: string;
  readonly display_name: string;
  readonly metadata: { readonly created_at: string; readonly resource_name: string };
}

export interface Cluster {
  readonly id: string;
  readonly metadata: { readonly created_at: string };
  readonly spec: {
    readonly display_name: string;
    readonly availability: string;
    readonly cloud: string;
    readonly region: string;
    readonly config: { readonly kind: string; readonly cku?: number };
    readonly networking: string;
    readonly kafka_bootstrap_servers: string;
    readonly connect_urls: readonly string[];
    readonly environment: { readonly id: string };
  };
  readonly status: { readonly phase: string };
}

export type IntegrationStatus = "DRAFT" | "CREATED" | "ACTIVE";

export interface Integration {
  readonly id: string;
  readonly display_name: string;
  readonly provider: string;
  readonly status: IntegrationStatus;
  readonly usages: readonly string[];
  readonly environment: { readonly id: string };
  readonly config: {
    readonly kind: string;
    readonly customer_azure_tenant_id: string;
    readonly confluent_multi_tenant_app_id: string;
  };
  readonly metadata: { readonly created_at: string };
}

export interface PermissionProbe {
  readonly permission: string;
  readonly action: string;
  readonly status: "granted" | "denied" | "unknown";
  readonly reason: string;
}

export interface IntegrationValidation {
  readonly ready: boolean;
  readonly token: { readonly ok: boolean; readonly message: string; readonly code?: string };
  readonly permissions: readonly PermissionProbe[];
}

export type ConnectorState = "NONE" | "PROVISIONING" | "RUNNING" | "DEGRADED" | "FAILED" | "PAUSED" | "DELETED";

export interface ConnectorInfo {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
  readonly tasks: readonly { readonly connector: string; readonly task: number }[];
  readonly type: "source" | "sink";
}

/** vaultwire's addition to the status: something to act on before it breaks the connector. */
export interface ConnectorWarning {
  readonly code: "SECRET_NEAR_EXPIRY";
  readonly key: string;
  readonly secret: string;
  readonly expires_at: string;
  readonly message: string;
}

export interface ConnectorStatus {
  readonly name: string;
  /** `warnings`: present only when there is something to warn about. */
  readonly connector: { readonly state: ConnectorState; readonly worker_id: string; readonly trace: string; readonly warnings?: readonly ConnectorWarning[] };
  readonly tasks: readonly { readonly id: number; readonly state: ConnectorState; readonly worker_id: string; readonly msg: string }[];
  readonly type: "source" | "sink";
}

export interface ExpandedConnector {
  readonly id: { readonly id: string; readonly id_type: string };
  readonly info: ConnectorInfo;
  readonly status: ConnectorStatus;
}

export interface Plugin {
  readonly class: string;
  readonly type: string;
  readonly version: string;
}

// The validate endpoint answers in the domain's own shapes (src/domain), which are browser-safe types.
export type { ConnectDefinitionView as ConfigDefinitionView } from "../../src/domain/plugin-definition.js";
export type { ValidationEntry, ValidationReport } from "../../src/domain/connector-validation.js";
