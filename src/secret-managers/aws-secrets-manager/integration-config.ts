/**
 * Confluent's AWS provider integration configuration (pim/v1
 * `AwsIntegrationConfig`): the customer's IAM role, which vaultwire's platform
 * identity assumes with the integration's external id. Pure.
 */
import type { FieldProblem } from "../../domain/errors.js";
import type { AwsIntegrationConfig } from "../../domain/resources.js";
import { err, ok, type Result } from "../../domain/result.js";

/** `arn:<partition>:iam::<12-digit account>:role/<path/><name>`, as IAM writes it. */
/** The pattern as text, for the API's request schemas (JSON Schema `pattern`, evaluated with the `u` flag). */
export const AWS_ROLE_ARN_PATTERN = String.raw`^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:role\/(?:[\u0021-\u007e]{1,512}\/)?[\w+=,.@-]{1,64}$`;
const ROLE_ARN = new RegExp(AWS_ROLE_ARN_PATTERN, "u");

export const AWS_ROLE_ARN_EXAMPLE = "arn:aws:iam::123456789012:role/vaultwire-secrets-reader";

/** Reads `{kind, customer_iam_role_arn}`; `externalId` is the one vaultwire generated for the integration. */
export function readAwsIntegrationConfig(input: Readonly<Record<string, unknown>>, externalId: string): Result<AwsIntegrationConfig, FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (input.kind !== undefined && input.kind !== "AwsIntegrationConfig") problems.push({ field: "config.kind", message: "config.kind must be AwsIntegrationConfig for an AWS integration" });
  const role = input.customer_iam_role_arn;
  if (typeof role !== "string" || role.trim() === "") {
    problems.push({ field: "config.customer_iam_role_arn", message: `config.customer_iam_role_arn is required: the ARN of the IAM role in your account that may read the secrets, e.g. ${AWS_ROLE_ARN_EXAMPLE}` });
  } else if (role.length > 2048 || !ROLE_ARN.test(role)) {
    problems.push({ field: "config.customer_iam_role_arn", message: `config.customer_iam_role_arn must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>), e.g. ${AWS_ROLE_ARN_EXAMPLE}` });
  }
  if (problems.length > 0) return err(problems);
  return ok({ kind: "AwsIntegrationConfig", customerIamRoleArn: role as string, externalId });
}
