/**
 * The AWS Secrets Manager secret identifier grammar:
 *
 *   <secret-arn>              a plaintext secret (its SecretString)
 *   <secret-arn>::<json-key>  one top-level key of a JSON object secret
 *
 * where <secret-arn> is `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`
 * with the 6-character suffix AWS appends (`-AbCdEf`) or without it (a
 * partial ARN). The ARN, not a bare name, is required: its region and
 * account tell vaultwire which endpoint to call (see endpoints.ts), so a
 * connector config cannot steer vaultwire's credentials anywhere else.
 *
 * Pure (no Node built-ins, imports only domain/): the web console runs it.
 * Error messages never echo the value the user typed (it may be a password
 * pasted by mistake into a managed field); no part of it is quoted.
 *
 * Deduplication (`secretKey`): the ARN exactly as written, after trimming the
 * surrounding white space. Every ARN part is case-sensitive for AWS (and the
 * grammar requires lowercase where AWS does), so there is nothing else to
 * normalise. A partial ARN and the full ARN of the same secret are two keys
 * and so two GETs: AWS resolves a partial ARN by the secret's name only when
 * no other secret's name ends that way (a secret named `db-prod12` and one
 * named `db` with suffix `prod12` are indistinguishable by text), so merging
 * them before the GET could hand one field another secret's value. The price
 * is one extra GET when a config mixes both spellings of one secret.
 */
import { err, ok, type Result } from "../../domain/result.js";
import type { IdentifierError, IdentifierGrammar } from "../../domain/secret-managers.js";

export const AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT = "<secret-arn> or <secret-arn>::<json-key>";
export const AWS_SECRETS_MANAGER_IDENTIFIER_EXAMPLE = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-credentials-AbCdEf::password";
export const MAX_AWS_IDENTIFIER_LENGTH = 2048;
/** AWS's limit for a secret name; the ARN's name part may have 7 more (`-` and the 6-character suffix). */
export const MAX_AWS_SECRET_NAME_LENGTH = 512;
const SUFFIX_LENGTH = 7;

export const AWS_PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
export type AwsPartition = (typeof AWS_PARTITIONS)[number];

export type AwsIdentifierPart = "identifier" | "partition" | "service" | "region" | "account" | "resource-type" | "secret-name" | "json-key";

export interface AwsIdentifierError {
  readonly part: AwsIdentifierPart;
  /** One line, naming the problem and showing the expected format; never the value. */
  readonly message: string;
}

export interface AwsSecretReference {
  readonly manager: "AWS_SECRETS_MANAGER";
  /** The secret's ARN as written (full or partial): the `SecretId` vaultwire sends. */
  readonly arn: string;
  readonly partition: AwsPartition;
  readonly region: string;
  /** The 12-digit account the secret lives in. */
  readonly accountId: string;
  /** The ARN's name part, with the AWS suffix if it was written. */
  readonly secretName: string;
  /**
   * The last 7 characters of the name when they look like AWS's suffix
   * (`-` and 6 letters or digits), else null. Only a hint for messages: a
   * name may end that way by itself.
   */
  readonly possibleSuffix: string | null;
  /** The top-level key of a JSON object secret, taken literally; null for a plaintext secret. */
  readonly jsonKey: string | null;
  /** Identifies the secret (not the JSON key): equal keys are one GET. See the file comment. */
  readonly secretKey: string;
}

const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const SUFFIX = /-[A-Za-z0-9]{6}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function fail(part: AwsIdentifierPart, problem: string): { readonly ok: false; readonly error: AwsIdentifierError } {
  return err({ part, message: `${problem}; expected ${AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT}, e.g. ${AWS_SECRETS_MANAGER_IDENTIFIER_EXAMPLE}` });
}

/** Which partition a region belongs to, by its name (`cn-…`, `us-gov-…`, the rest). */
export function partitionOfRegion(region: string): AwsPartition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** Parses an AWS Secrets Manager secret identifier. Never throws, whatever the input. */
export function parseAwsSecretsManagerIdentifier(input: unknown): Result<AwsSecretReference, AwsIdentifierError> {
  if (typeof input !== "string") return fail("identifier", "a secret identifier must be a string");
  const s = input.trim();
  if (s === "") return fail("identifier", "the secret identifier is empty");
  // In characters (code points), as JSON Schema's maxLength counts.
  const length = s.length - (s.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
  if (length > MAX_AWS_IDENTIFIER_LENGTH) {
    return fail("identifier", `the secret identifier is ${length} characters long; at most ${MAX_AWS_IDENTIFIER_LENGTH} are allowed`);
  }
  if (!s.startsWith("arn:")) {
    if (s.toLowerCase().startsWith("arn:")) return fail("identifier", "the ARN must start with \"arn:\" in lowercase");
    return fail("identifier", "the value is not a secret ARN (it does not start with \"arn:\"); use the secret's ARN, not its name");
  }
  // arn : partition : service : region : account : resource-type : name[::json-key]
  const fields: string[] = [];
  let at = 4;
  for (let i = 0; i < 5; i++) {
    const colon = s.indexOf(":", at);
    if (colon < 0) return fail("identifier", "the ARN has too few \":\"-separated parts (arn:<partition>:secretsmanager:<region>:<account-id>:secret:<name>)");
    fields.push(s.slice(at, colon));
    at = colon + 1;
  }
  const [partition = "", service = "", region = "", accountId = "", resourceType = ""] = fields;
  if (!(AWS_PARTITIONS as readonly string[]).includes(partition)) {
    return fail("partition", `the ARN's partition must be one of ${AWS_PARTITIONS.join(", ")}`);
  }
  if (service !== "secretsmanager") return fail("service", "the ARN is not a Secrets Manager ARN (its service must be \"secretsmanager\")");
  if (region === "") return fail("region", "the ARN has no region");
  if (!REGION.test(region)) return fail("region", "the ARN's region is not a region name such as us-east-1");
  if (partitionOfRegion(region) !== partition) {
    return fail("region", `the ARN's region is not in partition ${partition} (aws-cn regions start with "cn-", aws-us-gov regions with "us-gov-")`);
  }
  if (!ACCOUNT.test(accountId)) return fail("account", "the ARN's account id must be 12 digits");
  if (resourceType !== "secret") return fail("resource-type", "the ARN's resource type must be \"secret\" (…:<account-id>:secret:<name>)");

  const rest = s.slice(at);
  const separator = rest.indexOf("::");
  const secretName = separator < 0 ? rest : rest.slice(0, separator);
  const jsonKey = separator < 0 ? null : rest.slice(separator + 2);
  if (secretName === "") return fail("secret-name", "the secret name after \":secret:\" is empty");
  if (!SECRET_NAME.test(secretName)) {
    const colonHint = secretName.includes(":") ? "; separate a JSON key with \"::\", two colons" : "";
    return fail("secret-name", `the secret name may contain only letters, digits and / _ + = . @ -${colonHint}`);
  }
  const possibleSuffix = SUFFIX.exec(secretName)?.[0] ?? null;
  const limit = MAX_AWS_SECRET_NAME_LENGTH + (possibleSuffix === null ? 0 : SUFFIX_LENGTH);
  if (secretName.length > limit) {
    return fail("secret-name", `the secret name is ${secretName.length} characters long; at most ${MAX_AWS_SECRET_NAME_LENGTH} are allowed (plus AWS's 7-character suffix)`);
  }
  if (jsonKey !== null) {
    if (jsonKey === "") return fail("json-key", "the JSON key after \"::\" is empty");
    if (jsonKey.includes("::")) return fail("json-key", "the JSON key must not contain \"::\" (the identifier has at most one \"::\")");
    if (CONTROL_CHARACTER.test(jsonKey)) return fail("json-key", "the JSON key must not contain control characters");
  }
  const arn = `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${secretName}`;
  return ok({
    manager: "AWS_SECRETS_MANAGER",
    arn,
    partition,
    region,
    accountId,
    secretName,
    possibleSuffix,
    jsonKey,
    secretKey: arn,
  });
}

/**
 * The identifier as a JSON Schema pattern (the HTTP API's documentation of
 * `secret_identifier`): what the parser accepts, written without the
 * surrounding white space it trims. The partition and the region agree
 * (aws-cn: cn-…, aws-us-gov: us-gov-…, aws: the others); the name has at most
 * 512 characters, plus AWS's 7-character suffix when it ends with one.
 * identifier.test.ts checks that it agrees with the parser. Used with the
 * `u` flag, as JSON Schema does.
 */
export const AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN = [
  "^arn:",
  String.raw`(?:aws:secretsmanager:(?!cn-|us-gov-)[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}`,
  String.raw`|aws-cn:secretsmanager:cn(?:-gov)?-[a-z]+-\d{1,2}`,
  String.raw`|aws-us-gov:secretsmanager:us-gov(?:-[a-z]+)?-\d{1,2})`,
  String.raw`:\d{12}:secret:`,
  String.raw`(?:[A-Za-z0-9/_+=.@-]{1,512}|[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6})`,
  // A JSON key: no "::", no control character, and (trimmed by the parser) no white space at its end.
  String.raw`(?:::(?:(?!::)[^\u0000-\u001f\u007f])*[^\s\u0000-\u001f\u007f])?$`,
].join("");

/** The canonical text of an identifier; parsing it gives back the same parts. */
export function formatAwsSecretsManagerIdentifier(parts: Pick<AwsSecretReference, "arn" | "jsonKey">): string {
  return parts.jsonKey === null ? parts.arn : `${parts.arn}::${parts.jsonKey}`;
}

/** Cheap test used for warnings: does a value look like an attempt at a Secrets Manager identifier? */
export function looksLikeAwsSecretsManagerIdentifier(value: string): boolean {
  const s = value.trimStart();
  return s.slice(0, 4).toLowerCase() === "arn:" && s.toLowerCase().includes(":secretsmanager:");
}

function toDomainError(error: AwsIdentifierError): IdentifierError {
  return { part: error.part, message: error.message };
}

export const awsSecretsManagerGrammar: IdentifierGrammar<AwsSecretReference> = {
  manager: "AWS_SECRETS_MANAGER",
  cloud: "AWS",
  format: AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT,
  example: AWS_SECRETS_MANAGER_IDENTIFIER_EXAMPLE,
  // The endpoint follows from the ARN's region (endpoints.ts); no host setting applies.
  parse: (value) => {
    const parsed = parseAwsSecretsManagerIdentifier(value);
    return parsed.ok ? parsed : err(toDomainError(parsed.error));
  },
  display: formatAwsSecretsManagerIdentifier,
  looksLikeIdentifier: looksLikeAwsSecretsManagerIdentifier,
};
