// The route schemas promise that the OpenAPI document says exactly what the
// services accept: each pattern in input.ts (with its maxLength) must accept
// a value exactly when the matching check does. Checked on values built from
// the characters that make the rules hard (spaces of every kind, controls,
// dots, slashes, astral and case-folding letters).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { azureKeyVaultPatterns, parseAzureKeyVaultIdentifier } from "../secret-managers/azure-key-vault/identifier.js";
import { createVaultHostPolicy } from "../secret-managers/azure-key-vault/vault-host-policy.js";
import { BOOTSTRAP_SERVERS_PATTERN, CONNECT_URL_PATTERN, REGION_PATTERN } from "./clusters.js";
import {
  anyCasePattern, characterCount, checkResourceName, FieldChecks, MAX_RESOURCE_NAME, NON_BLANK_TEXT_PATTERN, NOT_BLANK_PATTERN, RESOURCE_NAME_PATTERN, TEXT_PATTERN,
} from "./input.js";

const TRICKY = [" ", "\t", "\n", "\r", "\u000b", "\u00a0", "\u1680", "\u2000", "\u2028", "\u3000", "\ufeff", "\u0085", "\u180e", "\u0000", "\u001f", "\u007f",
  ".", "..", "/", ":", "-", "a", "Z", "0", "é", "😀", "ſ", "\u212a", "ı"] as const;
const tricky = (maxLength: number) => fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: "binary", maxLength: 2 })), { maxLength }).map((parts) => parts.join(""));
const matches = (pattern: string, value: string) => new RegExp(pattern, "u").test(value);
const RUNS = { numRuns: 3000 };

describe("schema patterns are the services' checks", () => {
  it("requiredString ⇔ {minLength 1, maxLength, NON_BLANK_TEXT_PATTERN}", () => {
    fc.assert(fc.property(fc.oneof(tricky(8), tricky(70)), (value) => {
      const accepted = new FieldChecks().requiredString("f", value, 64) !== undefined;
      const documented = characterCount(value) >= 1 && characterCount(value) <= 64 && matches(NON_BLANK_TEXT_PATTERN, value);
      expect(accepted, JSON.stringify(value)).toBe(documented);
    }), RUNS);
  });

  it("optionalString ⇔ {maxLength, TEXT_PATTERN}", () => {
    fc.assert(fc.property(fc.oneof(tricky(8), tricky(70)), (value) => {
      const checks = new FieldChecks();
      checks.optionalString("f", value, 64);
      expect(checks.problems.length === 0, JSON.stringify(value)).toBe(characterCount(value) <= 64 && matches(TEXT_PATTERN, value));
    }), RUNS);
  });

  it("checkResourceName ⇔ {maxLength 255, RESOURCE_NAME_PATTERN}", () => {
    fc.assert(fc.property(fc.oneof(tricky(6), tricky(20), fc.string({ minLength: 250, maxLength: 260 })), (value) => {
      const accepted = checkResourceName(new FieldChecks(), "name", value) !== undefined;
      expect(accepted, JSON.stringify(value)).toBe(characterCount(value) <= MAX_RESOURCE_NAME && matches(RESOURCE_NAME_PATTERN, value));
    }), RUNS);
  });

  it("oneOf ⇔ anyCasePattern (ASCII case only, nothing trimmed)", () => {
    const options = ["AWS", "GCP", "AZURE", "PRIVATE_LINK"] as const;
    const values = fc.oneof(tricky(4), fc.constantFrom("aws", "Azure", " AZURE", "AZURE ", "private_link", "PRIVATE-LINK", "gcp\n", "awſ", "\u212a"));
    fc.assert(fc.property(values, (value) => {
      const accepted = new FieldChecks().oneOf("f", value, options) !== undefined;
      expect(accepted, JSON.stringify(value)).toBe(matches(anyCasePattern(options), value));
    }), RUNS);
  });

  it("a required query parameter is not blank exactly when NOT_BLANK_PATTERN matches", () => {
    fc.assert(fc.property(tricky(6), (value) => {
      expect(value.trim() !== "", JSON.stringify(value)).toBe(matches(NOT_BLANK_PATTERN, value));
    }), RUNS);
  });

  it("every region, bootstrap list and Connect URL the patterns allow is one the cluster service takes", () => {
    fc.assert(fc.property(fc.stringMatching(new RegExp(REGION_PATTERN, "u")), (region) => {
      expect(/^[a-z0-9][a-z0-9-]*$/.test(region.trim().toLowerCase())).toBe(true);
    }), RUNS);
    fc.assert(fc.property(fc.stringMatching(new RegExp(BOOTSTRAP_SERVERS_PATTERN, "u")), (servers) => {
      const trimmed = servers.trim();
      expect(trimmed === "" || trimmed.split(",").every((hostPort) => /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(hostPort.trim()))).toBe(true);
    }), RUNS);
    fc.assert(fc.property(fc.stringMatching(new RegExp(CONNECT_URL_PATTERN, "u")), (url) => {
      const parsed = new URL(url);
      expect(["http:", "https:"]).toContain(parsed.protocol);
      expect(parsed.username + parsed.password + parsed.search + parsed.hash).toBe("");
    }), RUNS);
  });

  it("every identifier and vault URI the patterns allow parses, on the default hosts and extra ones", () => {
    const extra = createVaultHostPolicy({ extraHosts: ["localhost:8443", "127.0.0.1:9443", "[::1]"] });
    if (!extra.ok) throw new Error(extra.error);
    for (const policy of [undefined, extra.value]) {
      const patterns = azureKeyVaultPatterns(policy);
      const both = (pattern: string) => fc.stringMatching(new RegExp(pattern, "u")).filter((value) => matches(patterns.noDoubleHyphenInVaultName, value));
      fc.assert(fc.property(both(patterns.identifier), (identifier) => {
        expect(parseAzureKeyVaultIdentifier(identifier, policy).ok, identifier).toBe(true);
      }), RUNS);
      fc.assert(fc.property(both(patterns.vaultUri), (vaultUri) => {
        expect(parseAzureKeyVaultIdentifier(`${vaultUri.replace(/\/$/, "")}::probe`, policy).ok, vaultUri).toBe(true);
      }), RUNS);
    }
    const patterns = azureKeyVaultPatterns();
    expect(matches(patterns.noDoubleHyphenInVaultName, "https://my--vault.vault.azure.net::s")).toBe(false);
    expect(matches(patterns.identifier, "https://my-vault.vault.azure.net::db-credentials::password")).toBe(true);
  });
});
