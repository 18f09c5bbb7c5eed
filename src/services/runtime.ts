/**
 * The port through which services drive the engine that runs connectors
 * (Kafka Connect; see the runtime issue). Services call it after the desired
 * state is committed; a runtime that is down does not fail the API call: the
 * record keeps the desired state and the reconciler converges later.
 */
import type { Connector, ConnectorStatus } from "../domain/resources.js";

export interface ConnectorRuntime {
  /** Creates or updates the connector to match its record (config and desired state). */
  apply(connector: Connector): Promise<ConnectorStatus | null>;
  restart(connector: Connector): Promise<void>;
  remove(connector: Connector): Promise<void>;
}
