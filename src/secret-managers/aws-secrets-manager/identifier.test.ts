import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN,
  awsSecretsManagerGrammar,
  formatAwsSecretsManagerIdentifier,
  looksLikeAwsSecretsManagerIdentifier,
  MAX_AWS_IDENTIFIER_LENGTH,
  parseAwsSecretsManagerIdentifier,
  partitionOfRegion,
  type AwsSecretReference,
} from "./identifier.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-credentials-AbCdEf";
const CANARY = "Canary-Pa55-4e7d19";

function parsed(text: string): AwsSecretReference {
  const result = parseAwsSecretsManagerIdentifier(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function failure(text: unknown): { part: string; message: string } {
  const result = parseAwsSecretsManagerIdentifier(text);
  if (result.ok) throw new Error("expected a failure");
  return result.error;
}

describe("parseAwsSecretsManagerIdentifier", () => {
  it("reads a full ARN, a partial ARN and a JSON key", () => {
    expect(parsed(ARN)).toEqual({
      manager: "AWS_SECRETS_MANAGER",
      arn: ARN,
      partition: "aws",
      region: "us-east-1",
      accountId: "123456789012",
      secretName: "db-credentials-AbCdEf",
      possibleSuffix: "-AbCdEf",
      jsonKey: null,
      secretKey: ARN,
    });
    const partial = parsed("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db");
    expect(partial.possibleSuffix).toBeNull();
    expect(partial.secretName).toBe("prod/db");
    const withKey = parsed(`  ${ARN}::password  `);
    expect(withKey.jsonKey).toBe("password");
    expect(withKey.secretKey).toBe(ARN);
    expect(parsed(`${ARN}::a key with spaces:and one colon`).jsonKey).toBe("a key with spaces:and one colon");
  });

  it("accepts the three partitions with their regions and every AWS name character", () => {
    expect(parsed("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x").partition).toBe("aws-cn");
    expect(parsed("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x").partition).toBe("aws-us-gov");
    expect(parsed("arn:aws:secretsmanager:ap-southeast-5:123456789012:secret:a/b_c+d=e.f@g-h").secretName).toBe("a/b_c+d=e.f@g-h");
    expect(partitionOfRegion("us-gov-east-1")).toBe("aws-us-gov");
    expect(partitionOfRegion("cn-northwest-1")).toBe("aws-cn");
    expect(partitionOfRegion("il-central-1")).toBe("aws");
  });

  it("names the wrong part", () => {
    const cases: [unknown, string, string][] = [
      [42, "identifier", "must be a string"],
      ["   ", "identifier", "is empty"],
      ["db-credentials", "identifier", "not its name"],
      ["ARN:aws:secretsmanager:us-east-1:123456789012:secret:x", "identifier", "lowercase"],
      ["arn:aws:secretsmanager:us-east-1", "identifier", "too few"],
      ["arn:aws-iso:secretsmanager:us-east-1:123456789012:secret:x", "partition", "partition must be one of"],
      ["arn:aws:ssm:us-east-1:123456789012:secret:x", "service", "\"secretsmanager\""],
      ["arn:aws:secretsmanager::123456789012:secret:x", "region", "no region"],
      ["arn:aws:secretsmanager:US-EAST-1:123456789012:secret:x", "region", "not a region name"],
      ["arn:aws:secretsmanager:cn-north-1:123456789012:secret:x", "region", "not in partition aws"],
      ["arn:aws-cn:secretsmanager:us-east-1:123456789012:secret:x", "region", "not in partition aws-cn"],
      ["arn:aws:secretsmanager:us-east-1:12345678901:secret:x", "account", "12 digits"],
      ["arn:aws:secretsmanager:us-east-1:123456789012:parameter:x", "resource-type", "\"secret\""],
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:", "secret-name", "is empty"],
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:a b", "secret-name", "may contain only"],
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:x:password", "secret-name", "two colons"],
      [`${ARN}::`, "json-key", "is empty"],
      [`${ARN}::a::b`, "json-key", "must not contain \"::\""],
      [`${ARN}::a\u0007b`, "json-key", "control characters"],
      [`arn:aws:secretsmanager:us-east-1:123456789012:secret:${"n".repeat(513)}`, "secret-name", "at most 512"],
      [`${ARN}::${"k".repeat(MAX_AWS_IDENTIFIER_LENGTH)}`, "identifier", "at most 2048"],
    ];
    for (const [input, part, fragment] of cases) {
      const error = failure(input);
      expect({ input, part: error.part }).toEqual({ input, part });
      expect(error.message).toContain(fragment);
      expect(error.message).toContain("expected <secret-arn> or <secret-arn>::<json-key>");
    }
    // 512 characters plus AWS's suffix is a full ARN of a name at the limit.
    expect(parsed(`arn:aws:secretsmanager:us-east-1:123456789012:secret:${"n".repeat(512)}-AbCdEf`).possibleSuffix).toBe("-AbCdEf");
  });

  it("keeps a partial and a full ARN of one secret apart, and one ARN with two JSON keys together", () => {
    const partial = parsed("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-credentials::user");
    const full = parsed(`${ARN}::user`);
    expect(partial.secretKey).not.toBe(full.secretKey);
    expect(parsed(`${ARN}::user`).secretKey).toBe(parsed(` ${ARN}::password`).secretKey);
    // Names are case-sensitive in Secrets Manager.
    expect(parsed(ARN.replace("db-", "DB-")).secretKey).not.toBe(full.secretKey);
  });

  it("never echoes the value in a message (property)", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.constantFrom("", "arn:", "arn:aws:secretsmanager:us-east-1:123456789012:secret:", `${ARN}::`), (noise, prefix) => {
      const value = `${prefix}${CANARY}${noise}`;
      const result = parseAwsSecretsManagerIdentifier(value);
      if (!result.ok) expect(result.error.message).not.toContain(CANARY);
    }));
  });

  it("never throws and round-trips what it accepts (property)", () => {
    const nameChar = fc.constantFrom(..."abcXYZ019/_+=.@-");
    const name = fc.array(nameChar, { minLength: 1, maxLength: 40 }).map((c) => c.join(""));
    const jsonKey = fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null });
    const region = fc.constantFrom("us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1");
    fc.assert(fc.property(region, fc.stringMatching(/^\d{12}$/), name, jsonKey, (r, account, n, key) => {
      const arn = `arn:${partitionOfRegion(r)}:secretsmanager:${r}:${account}:secret:${n}`;
      const result = parseAwsSecretsManagerIdentifier(key === null ? arn : `${arn}::${key}`);
      if (!result.ok) return;
      const again = parseAwsSecretsManagerIdentifier(formatAwsSecretsManagerIdentifier(result.value));
      expect(again).toEqual(result);
    }));
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (value) => {
      expect(() => parseAwsSecretsManagerIdentifier(value)).not.toThrow();
    }));
  });
});

describe("the grammar", () => {
  it("is registered under AWS_SECRETS_MANAGER and names the part that is wrong", () => {
    expect(awsSecretsManagerGrammar.manager).toBe("AWS_SECRETS_MANAGER");
    expect(awsSecretsManagerGrammar.cloud).toBe("AWS");
    expect(awsSecretsManagerGrammar.parse(awsSecretsManagerGrammar.example).ok).toBe(true);
    const wrongRegion = awsSecretsManagerGrammar.parse("arn:aws:secretsmanager:cn-north-1:123456789012:secret:x");
    expect(wrongRegion.ok ? null : wrongRegion.error.part).toBe("region");
    const wrongKey = awsSecretsManagerGrammar.parse(`${ARN}::`);
    expect(wrongKey.ok ? null : wrongKey.error.part).toBe("json-key");
    expect(looksLikeAwsSecretsManagerIdentifier(` ${ARN}`)).toBe(true);
    expect(looksLikeAwsSecretsManagerIdentifier("https://v.vault.azure.net::x")).toBe(false);
    expect(looksLikeAwsSecretsManagerIdentifier("hunter2")).toBe(false);
  });

  it("is pure: it imports only domain/ (the web console runs it)", () => {
    const source = readFileSync(new URL("./identifier.ts", import.meta.url), "utf8");
    const imports = [...source.matchAll(/^import[^;]*from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^\.\.\/\.\.\/domain\//);
  });
});

describe("AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN (the HTTP API's documented form)", () => {
  const pattern = new RegExp(AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN, "u");
  /** The parser accepts it, and it is written without the white space the parser trims. */
  const accepted = (text: string) => parseAwsSecretsManagerIdentifier(text).ok && text === text.trim();

  it("agrees with the parser on the edges of every part", () => {
    const base = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
    const cases = [
      ARN, `${ARN}::password`, `${ARN}::a:b`, `${ARN}:::`, `${ARN}:::x`, `${ARN}::x:`, `${ARN}::`, `${ARN}::a::b`, `${ARN}::key `, `${ARN}::key\u00a0`, `${ARN}::k ey`, `${ARN}::\u0001`,
      ` ${ARN}`, `${ARN} `, `ARN${ARN.slice(3)}`, "arn:aws:secretsmanager:us-east-1:123456789012:secret", base, `${base}a:b`, `${base}a b`,
      "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", "arn:aws:secretsmanager:cn-north-1:123456789012:secret:x",
      "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x", "arn:aws:secretsmanager:us-gov-west-1:123456789012:secret:x",
      "arn:aws-us-gov:secretsmanager:us-gov-1:123456789012:secret:x", "arn:aws:secretsmanager:eu-gov-x-12:123456789012:secret:x",
      "arn:aws:secretsmanager:us-east-123:123456789012:secret:x", "arn:aws:secretsmanager:us-east-1:12345678901:secret:x",
      "arn:aws:ssm:us-east-1:123456789012:secret:x", "arn:aws:secretsmanager:us-east-1:123456789012:parameter:x",
      `${base}${"a".repeat(512)}`, `${base}${"a".repeat(513)}`, `${base}${"a".repeat(512)}-AbCdEf`, `${base}${"a".repeat(513)}-AbCdEf`, `${base}${"a".repeat(506)}-AbCdE`,
    ];
    for (const text of cases) expect(pattern.test(text), JSON.stringify(text)).toBe(accepted(text));
  });

  it("agrees with the parser on generated identifiers", () => {
    const part = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars.split("")), maxLength });
    const identifier = fc.tuple(
      fc.constantFrom("aws", "aws-cn", "aws-us-gov", "AWS", ""),
      fc.constantFrom("secretsmanager", "ssm"),
      fc.constantFrom("us-east-1", "cn-north-1", "us-gov-west-1", "us-gov-1", "eu-west-12", "us-east", "x"),
      fc.constantFrom("123456789012", "1234"),
      part("ab-/+=.@_:Z09 ", 20),
      fc.option(part("ab: \u0000\u00a0\u2028{}", 8)),
    ).map(([partition, service, region, account, name, key]) => `arn:${partition}:${service}:${region}:${account}:secret:${name}${key === null ? "" : `::${key}`}`);
    fc.assert(fc.property(identifier, (text) => pattern.test(text) === accepted(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (text) => pattern.test(text) === accepted(text)));
  });
});
