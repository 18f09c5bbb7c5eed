/**
 * The secret managers this deployment runs, by kind: what services, the
 * reconciler and secret delivery reach a manager through. The composition
 * root registers them (src/main/server.ts); nothing else names a provider.
 */
import type { SecretManagerGrammars, SecretManagerKind } from "../domain/secret-managers.js";
import type { SecretManager } from "./secret-manager.js";

export interface SecretManagerRegistry {
  /** The grammars of the registered managers (for the domain's validation). */
  readonly grammars: SecretManagerGrammars;
  get(kind: SecretManagerKind): SecretManager | undefined;
  /** Drops cached values, of one integration or all, in every manager. */
  invalidate(integrationId?: string): void;
}

export function createSecretManagerRegistry(managers: readonly SecretManager[]): SecretManagerRegistry {
  const byKind = new Map<SecretManagerKind, SecretManager>();
  for (const manager of managers) {
    if (byKind.has(manager.kind)) throw new Error(`secret manager ${manager.kind} is registered twice`);
    byKind.set(manager.kind, manager);
  }
  const grammars: Partial<Record<SecretManagerKind, SecretManager["grammar"]>> = {};
  for (const [kind, manager] of byKind) grammars[kind] = manager.grammar;
  return {
    grammars,
    get: (kind) => byKind.get(kind),
    invalidate(integrationId) {
      for (const manager of byKind.values()) manager.invalidate(integrationId);
    },
  };
}
