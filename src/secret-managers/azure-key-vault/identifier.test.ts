import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AZURE_KEY_VAULT_IDENTIFIER_FORMAT, formatAzureKeyVaultIdentifier, parseAzureKeyVaultIdentifier, type AzureKeyVaultSecretIdentifier } from "./identifier.js";
import { createVaultHostPolicy, type VaultHostPolicy } from "./vault-host-policy.js";

function policy(extraHosts: string[]): VaultHostPolicy {
  const compiled = createVaultHostPolicy({ extraHosts });
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.value;
}
const emulator = policy(["localhost:8443", "[::1]:8443", "127.0.0.1:8443"]);

function parsed(value: string, hosts?: VaultHostPolicy): AzureKeyVaultSecretIdentifier {
  const result = parseAzureKeyVaultIdentifier(value, hosts);
  if (!result.ok) throw new Error(`expected ${value} to parse: ${result.error.message}`);
  return result.value;
}

function failure(value: unknown, hosts?: VaultHostPolicy): { part: string; message: string } {
  const result = parseAzureKeyVaultIdentifier(value, hosts);
  if (result.ok) throw new Error(`expected ${String(value)} to be rejected`);
  return result.error;
}

describe("parseAzureKeyVaultIdentifier", () => {
  it("parses the specification's plaintext and JSON forms", () => {
    expect(parsed("https://your-key-vault-name.vault.azure.net::sqlserver-db-secret")).toEqual({
      manager: "AZURE_KEY_VAULT",
      vaultUri: "https://your-key-vault-name.vault.azure.net",
      host: "your-key-vault-name.vault.azure.net",
      port: null,
      secretName: "sqlserver-db-secret",
      jsonKey: null,
      secretKey: "https://your-key-vault-name.vault.azure.net/secrets/sqlserver-db-secret",
    });
    const json = parsed("https://your-key-vault-name.vault.azure.net::sqlserver-db-secret::password");
    expect(json.jsonKey).toBe("password");
    expect(json.secretName).toBe("sqlserver-db-secret");
  });

  it("accepts every default Azure cloud", () => {
    for (const suffix of ["vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net", "vault.microsoftazure.de"]) {
      expect(parsed(`https://contoso-01.${suffix}::s`).host).toBe(`contoso-01.${suffix}`);
    }
  });

  it("trims surrounding whitespace and keeps a trailing slash out of the vault URI", () => {
    expect(parsed("  https://my-vault.vault.azure.net/::db::user \n").vaultUri).toBe("https://my-vault.vault.azure.net");
  });

  it("takes a JSON key literally: dots, spaces and single colons are part of the key", () => {
    expect(parsed("https://my-vault.vault.azure.net::db::a.b.c").jsonKey).toBe("a.b.c");
    expect(parsed("https://my-vault.vault.azure.net::db::user name").jsonKey).toBe("user name");
    expect(parsed("https://my-vault.vault.azure.net::db::x:y").jsonKey).toBe("x:y");
  });

  it("gives identifiers of the same secret the same key", () => {
    const variants = [
      "https://my-vault.vault.azure.net::db-secret::user",
      "https://MY-VAULT.Vault.Azure.NET::db-secret::password",
      "https://my-vault.vault.azure.net/::DB-SECRET",
      "HTTPS://my-vault.vault.azure.net:443::Db-Secret",
    ];
    const keys = new Set(variants.map((v) => parsed(v).secretKey));
    expect([...keys]).toEqual(["https://my-vault.vault.azure.net/secrets/db-secret"]);
    expect(parsed("https://other-vault.vault.azure.net::db-secret").secretKey).not.toBe([...keys][0]);
    expect(parsed("https://localhost:8443::db-secret", emulator).secretKey).not.toBe(parsed("https://localhost:9443::db-secret", policy(["localhost:9443"])).secretKey);
  });

  it("accepts configured extra hosts with their exact port, IPv4 and IPv6", () => {
    expect(parsed("https://localhost:8443::s::k", emulator)).toMatchObject({ host: "localhost", port: 8443, vaultUri: "https://localhost:8443" });
    expect(parsed("https://[::1]:8443::s", emulator)).toMatchObject({ host: "[::1]", port: 8443 });
    expect(parsed("https://127.0.0.1:8443::s", emulator).port).toBe(8443);
    expect(failure("https://localhost:8444::s", emulator).part).toBe("host");
    expect(failure("https://localhost::s", emulator).part).toBe("host");
  });

  it.each([
    ["", "identifier", "the secret identifier is empty"],
    ["   ", "identifier", "the secret identifier is empty"],
    ["hunter2", "identifier", "has no \"::\" separator"],
    ["http://my-vault.vault.azure.net::s", "vault-uri", "must use https://"],
    ["ftp://my-vault.vault.azure.net::s", "vault-uri", "must start with https://"],
    ["my-vault.vault.azure.net::s", "vault-uri", "must start with https://"],
    ["https://my-vault.vault.azure.net", "identifier", "no \"::\" and secret name"],
    ["https://my-vault.vault.azure.net/", "vault-uri", "must not have a path"],
    ["https://my-vault.vault.azure.net/secrets::s", "vault-uri", "must not have a path"],
    ["https://my-vault.vault.azure.net//::s", "vault-uri", "must not have a path"],
    ["https://my-vault.vault.azure.net?x=1::s", "vault-uri", "query"],
    ["https://my-vault.vault.azure.net#top::s", "vault-uri", "fragment"],
    ["https://user@my-vault.vault.azure.net::s", "vault-uri", "user information"],
    ["https://::s", "host", "no host"],
    ["https://my_vault.vault.azure.net::s", "host", "not a valid host name"],
    ["https://my-vault.vault.azure.net:0::s", "port", "1 to 65535"],
    ["https://my-vault.vault.azure.net:99999::s", "port", "1 to 65535"],
    ["https://my-vault.vault.azure.net:s", "identifier", "two colons"],
    ["https://my-vault.vault.azure.net:db::user", "port", "two colons"],
    ["https://[::1::s", "host", "no closing"],
    ["https://my-vault.vault.azure.net::", "secret-name", "secret name is empty"],
    ["https://my-vault.vault.azure.net::::k", "secret-name", "secret name is empty"],
    ["https://my-vault.vault.azure.net::1secret", "secret-name", "must start with a letter"],
    ["https://my-vault.vault.azure.net::db_secret", "secret-name", "only letters, digits and \"-\""],
    ["https://my-vault.vault.azure.net::db:user", "secret-name", "two colons"],
    ["https://my-vault.vault.azure.net:::db", "secret-name", "must start with a letter"],
    ["https://my-vault.vault.azure.net::db::", "json-key", "JSON key after the second \"::\" is empty"],
    ["https://my-vault.vault.azure.net::db::a\u0007b", "json-key", "control characters"],
    ["https://my-vault.vault.azure.net::db::user::extra", "identifier", "at most 3 are allowed"],
    ["https://evil.example.com::db", "host", "vault host \"evil.example.com\" is not allowed"],
    ["https://my-vault.vault.azure.net.evil.com::db", "host", "is not allowed"],
    ["https://a.b.vault.azure.net::db", "host", "is not allowed"],
    ["https://vault.azure.net::db", "host", "is not allowed"],
    ["https://my-vault.vault.azure.net:8443::db", "host", "is not allowed"],
    ["https://ab.vault.azure.net::db", "host", "is not allowed"],
    ["https://my--vault.vault.azure.net::db", "host", "is not allowed"],
    ["https://1vault.vault.azure.net::db", "host", "is not allowed"],
    ["https://vault-.vault.azure.net::db", "host", "not a valid host name"],
    ["https://a234567890123456789012345.vault.azure.net::db", "host", "is not allowed"],
    ["https://localhost:8443::db", "host", "is not allowed"],
  ])("rejects %j (%s)", (value, part, fragment) => {
    const error = failure(value);
    expect(error.part).toBe(part);
    expect(error.message).toContain(fragment);
  });

  it("shows the expected format in every structural error", () => {
    for (const value of ["hunter2", "https://v.vault.azure.net::", "https://my-vault.vault.azure.net::a::b::c"]) {
      expect(failure(value).message).toContain(`expected ${AZURE_KEY_VAULT_IDENTIFIER_FORMAT}, e.g. https://`);
    }
  });

  it("allows secret names of 1 to 127 characters", () => {
    expect(parsed(`https://my-vault.vault.azure.net::a`).secretName).toBe("a");
    expect(parsed(`https://my-vault.vault.azure.net::a${"b".repeat(126)}`).secretName).toHaveLength(127);
    expect(failure(`https://my-vault.vault.azure.net::a${"b".repeat(127)}`).message).toContain("128 characters long; at most 127");
  });

  it("rejects oversized input without quoting it", () => {
    const error = failure(`https://my-vault.vault.azure.net::db::${"x".repeat(5000)}`);
    expect(error.message).toContain("at most 2048");
    expect(error.message).not.toContain("xxxx");
  });

  it("rejects non-strings", () => {
    for (const value of [undefined, null, 42, {}, []]) expect(failure(value).part).toBe("identifier");
  });
});

// ---- properties ----

const vaultName = fc.tuple(
  fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
  fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), { minLength: 1, maxLength: 22 }),
  fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
).map(([first, middle, last]) => first + middle.join("").replace(/-+/g, "-") + last);
const suffix = fc.constantFrom("vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net", "vault.microsoftazure.de");
const secretName = fc.tuple(
  fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
  fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"), { maxLength: 126 }),
).map(([first, rest]) => first + rest.join(""));
const jsonKey = fc.option(
  // eslint-disable-next-line no-control-regex
  fc.string({ minLength: 1, maxLength: 40 }).filter((k) => !k.includes("::") && k.trim() === k && !/[\u0000-\u001f\u007f]/.test(k) && !k.startsWith(":") && !k.endsWith(":")),
  { nil: null },
);
const validIdentifier = fc.record({ vault: vaultName, suffix, secretName, jsonKey, slash: fc.boolean(), upper: fc.boolean() }).map(
  ({ vault, suffix: dns, secretName: name, jsonKey: key, slash, upper }) => {
    const host = `${vault}.${dns}`;
    return `https://${upper ? host.toUpperCase() : host}${slash ? "/" : ""}::${name}${key === null ? "" : `::${key}`}`;
  },
);

describe("parseAzureKeyVaultIdentifier properties", () => {
  it("never throws, whatever the input", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.anything()), (input) => {
      const result = parseAzureKeyVaultIdentifier(input, emulator);
      expect(typeof result.ok).toBe("boolean");
    }), { numRuns: 2000 });
  });

  it("never throws on near-miss identifiers built from the grammar's own pieces", () => {
    const piece = fc.constantFrom("https://", "http://", "::", ":", "/", "?", "#", "@", "[", "]", "my-vault.vault.azure.net", "localhost", "8443", "db", "user", " ", "\u0000", "é");
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const result = parseAzureKeyVaultIdentifier(pieces.join(""), emulator);
      if (!result.ok) expect(result.error.message.length).toBeGreaterThan(0);
    }), { numRuns: 3000 });
  });

  it("round-trips valid identifiers through parse and format", () => {
    fc.assert(fc.property(validIdentifier, (text) => {
      const first = parsed(text);
      const formatted = formatAzureKeyVaultIdentifier(first);
      expect(parsed(formatted)).toEqual(first);
      expect(formatAzureKeyVaultIdentifier(parsed(formatted))).toBe(formatted);
    }), { numRuns: 1000 });
  });

  it("never echoes a secret name, JSON key or pasted value in an error message", () => {
    // A canary stands in for a password pasted by mistake: wherever it sits in a
    // malformed identifier, no message may contain it.
    const canary = fc.string({ minLength: 12, maxLength: 24, unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZ23456789$!%") });
    const wrap = fc.constantFrom(
      (c: string) => c,
      (c: string) => `https://my-vault.vault.azure.net::${c}`,
      (c: string) => `https://my-vault.vault.azure.net::db::${c}::more`,
      (c: string) => `https://my-vault.vault.azure.net/${c}::db`,
      (c: string) => `https://my-vault.vault.azure.net::db_${c}`,
      (c: string) => `http://my-vault.vault.azure.net::${c}`,
      (c: string) => `${c}::${c}`,
      (c: string) => `https://my-vault.vault.azure.net:${c}::db`,
      (c: string) => `https://${c}@my-vault.vault.azure.net::db`,
      (c: string) => `https://my-vault.vault.azure.net?${c}::db`,
      (c: string) => `https://my-vault.vault.azure.net::db::${c}\u0001`,
    );
    fc.assert(fc.property(canary, wrap, (secret, make) => {
      const result = parseAzureKeyVaultIdentifier(make(secret));
      if (!result.ok) expect(result.error.message).not.toContain(secret);
    }), { numRuns: 2000 });
  });

  it("quotes nothing but a well-formed host, and only when it is not allowed", () => {
    const input = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }).map((rest) => `https://${rest}`), fc.string({ maxLength: 40 }).map((rest) => `https://my-vault.vault.azure.net${rest}`));
    fc.assert(fc.property(input, (input) => {
      const result = parseAzureKeyVaultIdentifier(input);
      if (result.ok) return;
      const quoted = [...result.error.message.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
      const fixed = new Set(["::", ":", "/", "?", "#", "@", "]", "-"]);
      for (const q of quoted) if (!fixed.has(q)) {
        expect(result.error.part).toBe("host");
        expect(input.toLowerCase()).toContain(q);
      }
    }), { numRuns: 3000 });
  });
});
