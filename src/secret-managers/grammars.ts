/**
 * The identifier grammars of the managers vaultwire supports, with the
 * operator's settings bound in. Pure (the web console and the CLI's offline
 * validation use it too); the one place besides the managers' registry that
 * names each provider.
 */
import type { SecretManagerGrammars } from "../domain/secret-managers.js";
import { awsSecretsManagerGrammar } from "./aws-secrets-manager/identifier.js";
import { azureKeyVaultGrammar } from "./azure-key-vault/identifier.js";
import { DEFAULT_VAULT_HOST_POLICY, type VaultHostPolicy } from "./azure-key-vault/vault-host-policy.js";

export interface GrammarSettings {
  /** Azure Key Vault hosts beyond the public clouds' (VAULTWIRE_ALLOWED_VAULT_HOSTS). */
  readonly vaultHosts?: VaultHostPolicy;
}

export function identifierGrammars(settings: GrammarSettings = {}): SecretManagerGrammars {
  return {
    AZURE_KEY_VAULT: azureKeyVaultGrammar(settings.vaultHosts ?? DEFAULT_VAULT_HOST_POLICY),
    // The endpoint follows from the ARN's region; no operator setting applies to the grammar.
    AWS_SECRETS_MANAGER: awsSecretsManagerGrammar,
  };
}
