/**
 * A stored connector's secret-manager binding (domain/connector-validation.ts
 * `secretBinding`), parsed once per config generation and shared by the
 * connectors service, secret delivery and the reconciler: nobody parses a
 * stored identifier again.
 */
import { secretBinding, type SecretBinding } from "../domain/connector-validation.js";
import type { Connector } from "../domain/resources.js";
import type { SecretManagerGrammars } from "../domain/secret-managers.js";

export interface ConnectorBindings {
  /** The connector's binding, or null when its secret manager is off (or not supported here). */
  of(connector: Pick<Connector, "id" | "generation" | "config">): SecretBinding | null;
}

const MAX_ENTRIES = 20_000;

export function createConnectorBindings(grammars: SecretManagerGrammars): ConnectorBindings {
  const parsed = new Map<string, SecretBinding | null>();
  return {
    of(connector) {
      const key = `${connector.id}@${connector.generation}`;
      let binding = parsed.get(key);
      if (binding === undefined) {
        binding = secretBinding(connector.config, grammars);
        if (parsed.size >= MAX_ENTRIES) parsed.clear();
        parsed.set(key, binding);
      }
      return binding;
    },
  };
}
