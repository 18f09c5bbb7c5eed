/**
 * The Azure Key Vault secret identifier grammar:
 *
 *   <vault-uri>::<secret-name>              a plaintext secret
 *   <vault-uri>::<secret-name>::<json-key>  one top-level key of a JSON object secret
 *
 * Error messages never echo the value the user typed (it may be a password
 * pasted by mistake into a managed field); the only part ever quoted is the
 * vault host, when it is well-formed but not allowed.
 */
import { err, ok, type Result } from "../../domain/result.js";
import type { IdentifierError, IdentifierGrammar } from "../../domain/secret-managers.js";
import { DEFAULT_VAULT_HOST_POLICY, describeVaultHostPolicy, isValidPort, isVaultHostAllowed, type VaultHostPolicy } from "./vault-host-policy.js";

export const AZURE_KEY_VAULT_IDENTIFIER_FORMAT = "<vault-uri>::<secret-name> or <vault-uri>::<secret-name>::<json-key>";
export const AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE = "https://my-vault.vault.azure.net::db-credentials::password";
export const MAX_IDENTIFIER_LENGTH = 2048;
export const MAX_SECRET_NAME_LENGTH = 127;

export type IdentifierPart = "identifier" | "vault-uri" | "host" | "port" | "secret-name" | "json-key";

export type { IdentifierError } from "../../domain/secret-managers.js";

export interface AzureKeyVaultSecretIdentifier {
  readonly manager: "AZURE_KEY_VAULT";
  /** Canonical: `https://` + lowercase host + `:port` unless 443; no trailing slash. */
  readonly vaultUri: string;
  /** Lowercase host name, IPv4 address or bracketed IPv6 address. */
  readonly host: string;
  /** Null for the default port (443). */
  readonly port: number | null;
  /** As typed; Key Vault compares secret names case-insensitively. */
  readonly secretName: string;
  /** The top-level key of a JSON object secret, taken literally; null for a plaintext secret. */
  readonly jsonKey: string | null;
  /**
   * Identifies the secret (not the JSON key): two identifiers with the same
   * `secretKey` are one Key Vault GET. Equal for differences in host case,
   * trailing slash, an explicit :443 and secret-name case.
   */
  readonly secretKey: string;
}

const SECRET_NAME = /^[A-Za-z][0-9A-Za-z-]*$/;
const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]{2,45}\]$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function fail(part: IdentifierPart, problem: string): { readonly ok: false; readonly error: IdentifierError } {
  return err({ part, message: `${problem}; expected ${AZURE_KEY_VAULT_IDENTIFIER_FORMAT}, e.g. ${AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE}` });
}

/** Parses an Azure Key Vault secret identifier. Never throws, whatever the input. */
export function parseAzureKeyVaultIdentifier(
  input: unknown,
  policy: VaultHostPolicy = DEFAULT_VAULT_HOST_POLICY,
): Result<AzureKeyVaultSecretIdentifier, IdentifierError> {
  if (typeof input !== "string") return fail("identifier", "a secret identifier must be a string");
  const s = input.trim();
  if (s === "") return fail("identifier", "the secret identifier is empty");
  // In characters (code points), as JSON Schema's maxLength counts.
  const length = s.length - (s.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
  if (length > MAX_IDENTIFIER_LENGTH) {
    return fail("identifier", `the secret identifier is ${length} characters long; at most ${MAX_IDENTIFIER_LENGTH} are allowed`);
  }
  const scheme = s.slice(0, 8).toLowerCase();
  if (scheme !== "https://") {
    if (scheme.startsWith("http://")) return fail("vault-uri", "the vault URI must use https://, not http://");
    if (!s.includes("::")) return fail("identifier", "the value is not a secret identifier (it has no \"::\" separator)");
    return fail("vault-uri", "the vault URI must start with https://");
  }

  // The authority runs to the first "::", "/", "?", "#" or "@".
  let i = 8;
  if (s.charAt(i) === "[") {
    const close = s.indexOf("]", i);
    if (close < 0) return fail("host", "the IPv6 address in the vault URI has no closing \"]\"");
    i = close + 1;
  }
  for (; i < s.length; i++) {
    const c = s.charAt(i);
    if ((c === ":" && s.charAt(i + 1) === ":") || c === "/" || c === "?" || c === "#" || c === "@") break;
  }
  if (i >= s.length) {
    if (s.indexOf(":", 8) > 0) return fail("identifier", "the vault URI and the secret name must be separated by \"::\" (two colons), not a single \":\"");
    return fail("identifier", "there is no \"::\" and secret name after the vault URI");
  }
  let separator = i;
  switch (s.charAt(i)) {
    case "@": return fail("vault-uri", "the vault URI must not contain user information (\"@\")");
    case "?": return fail("vault-uri", "the vault URI must not contain a query (\"?\")");
    case "#": return fail("vault-uri", "the vault URI must not contain a fragment (\"#\")");
    case "/":
      if (!s.startsWith("::", i + 1)) return fail("vault-uri", "the vault URI must not have a path (only a single trailing \"/\" is allowed)");
      separator = i + 1;
      break;
  }

  const authority = s.slice(8, i).toLowerCase();
  if (authority === "") return fail("host", "the vault URI has no host");
  let host = authority;
  let port: number | null = null;
  const portColon = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.indexOf(":");
  if (portColon > 0) {
    host = authority.slice(0, portColon);
    const digits = authority.slice(portColon + 1);
    if (!isValidPort(digits)) {
      return fail("port", "the port in the vault URI must be a number from 1 to 65535 (the vault URI and the secret name are separated by \"::\", two colons)");
    }
    port = Number(digits);
    if (port === 443) port = null;
  }
  if (!(DNS_NAME.test(host) || IPV6_LITERAL.test(host)) || host.length > 253) {
    return fail("host", "the host in the vault URI is not a valid host name");
  }

  const segments = s.slice(separator + 2).split("::");
  if (segments.length > 2) {
    return fail("identifier", `the identifier has ${segments.length + 1} "::"-separated parts; at most 3 are allowed (a JSON key cannot contain "::")`);
  }
  const secretName = segments[0] ?? "";
  const jsonKey = segments[1] ?? null;
  if (secretName === "") return fail("secret-name", "the secret name is empty");
  if (secretName.length > MAX_SECRET_NAME_LENGTH) {
    return fail("secret-name", `the secret name is ${secretName.length} characters long; at most ${MAX_SECRET_NAME_LENGTH} are allowed`);
  }
  if (!SECRET_NAME.test(secretName)) {
    const colonHint = secretName.includes(":") ? "; separate a JSON key with \"::\", two colons" : "";
    const problem = /^[A-Za-z]/.test(secretName) ? "the secret name may contain only letters, digits and \"-\"" : "the secret name must start with a letter";
    return fail("secret-name", problem + colonHint);
  }
  if (jsonKey !== null) {
    if (jsonKey === "") return fail("json-key", "the JSON key after the second \"::\" is empty");
    if (CONTROL_CHARACTER.test(jsonKey)) return fail("json-key", "the JSON key must not contain control characters");
  }

  if (!isVaultHostAllowed(policy, host, port)) {
    const hostPort = port === null ? host : `${host}:${port}`;
    return err({ part: "host", message: `vault host "${hostPort}" is not allowed; allowed vault hosts: ${describeVaultHostPolicy(policy)}` });
  }
  const vaultUri = port === null ? `https://${host}` : `https://${host}:${port}`;
  return ok({
    manager: "AZURE_KEY_VAULT",
    vaultUri,
    host,
    port,
    secretName,
    jsonKey,
    secretKey: `${vaultUri}/secrets/${secretName.toLowerCase()}`,
  });
}

/** The canonical text of an identifier; parsing it gives back the same parts. */
export function formatAzureKeyVaultIdentifier(parts: Pick<AzureKeyVaultSecretIdentifier, "vaultUri" | "secretName" | "jsonKey">): string {
  return parts.jsonKey === null ? `${parts.vaultUri}::${parts.secretName}` : `${parts.vaultUri}::${parts.secretName}::${parts.jsonKey}`;
}

/** Cheap test used for warnings: does a value look like an attempt at an identifier? */
export function looksLikeAzureKeyVaultIdentifier(value: string): boolean {
  const s = value.trimStart().slice(0, 8).toLowerCase();
  return s === "https://" && value.includes("::");
}

/** `abc` → `[Aa][Bb][Cc]`, other characters escaped: a host as the parser compares it (case-insensitively). */
function anyCase(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

/** The authority of an allowed vault: `<vault-name>.<cloud suffix>` (port 443 only) or an extra host[:port]. */
function allowedAuthorityPattern(policy: VaultHostPolicy): string {
  const default443 = "(?::0{0,2}443)?";
  const cloud = policy.cloudSuffixes.map((suffix) => `[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]\\.${anyCase(suffix)}${default443}`);
  const extra = [...policy.extraHosts].map((entry) => {
    const match = /^(.*?)(?::(\d{1,5}))?$/.exec(entry);
    const host = match?.[1] ?? entry;
    const port = match?.[2];
    return `${anyCase(host)}${port === undefined ? default443 : `:0{0,${5 - port.length}}${port}`}`;
  });
  return `(?:${[...cloud, ...extra].join("|")})`;
}

const JSON_KEY_CHAR = String.raw`[^:\u0000-\u001f\u007f]`;
const JSON_KEY_END = String.raw`[^:\u0000-\u0020\u007f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;

/**
 * JSON Schema patterns (ECMA-262) for identifiers and vault URIs on the
 * policy's hosts, to be checked together with the parser: every identifier
 * they match parses, except a cloud vault name with "--" (Azure's rule),
 * which `noDoubleHyphenInVaultName` rules out. Stricter than the parser only
 * where a pattern cannot follow it: no surrounding spaces, and a JSON key
 * without a leading or trailing ":" or trailing space.
 */
export function azureKeyVaultPatterns(policy: VaultHostPolicy = DEFAULT_VAULT_HOST_POLICY): { identifier: string; vaultUri: string; noDoubleHyphenInVaultName: string } {
  const prefix = `^[Hh][Tt][Tt][Pp][Ss]://${allowedAuthorityPattern(policy)}/?`;
  return {
    identifier: `${prefix}::[A-Za-z][0-9A-Za-z-]{0,${MAX_SECRET_NAME_LENGTH - 1}}(?:::(?:${JSON_KEY_CHAR}+:)*${JSON_KEY_CHAR}*${JSON_KEY_END})?$`,
    vaultUri: `${prefix}$`,
    // The host's first label (the vault name) has no "--": its hyphens stand alone up to the first ".", ":" or "/".
    noDoubleHyphenInVaultName: String.raw`^[^:]*://[^.:/\-]*(?:-[^.:/\-]+)*(?:[.:/]|$)`,
  };
}

/** The Azure Key Vault grammar, with the operator's allowed vault hosts bound in. */
export function azureKeyVaultGrammar(policy: VaultHostPolicy = DEFAULT_VAULT_HOST_POLICY): IdentifierGrammar<AzureKeyVaultSecretIdentifier> {
  return {
    manager: "AZURE_KEY_VAULT",
    cloud: "AZURE",
    format: AZURE_KEY_VAULT_IDENTIFIER_FORMAT,
    example: AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE,
    parse: (value) => parseAzureKeyVaultIdentifier(value, policy),
    display: formatAzureKeyVaultIdentifier,
    looksLikeIdentifier: looksLikeAzureKeyVaultIdentifier,
  };
}
