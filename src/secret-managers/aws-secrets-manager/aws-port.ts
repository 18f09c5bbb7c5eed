/**
 * The few AWS calls vaultwire makes, as a narrow port: STS AssumeRole and
 * GetCallerIdentity, Secrets Manager GetSecretValue and DescribeSecret. The
 * real implementation uses the official SDK v3 clients; unit tests may fake
 * the port. Retries are vaultwire's own (manager.ts), so the SDK's are off,
 * and every request is checked against the endpoint policy before it leaves.
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp, fromInstanceMetadata, fromTokenFile } from "@aws-sdk/credential-providers";
import { Redacted, SecretValue } from "../secret-value.js";
import type { AwsService, EndpointPolicy } from "./endpoints.js";
import type { AwsPlatformIdentity } from "./settings.js";

/**
 * Temporary credentials of an assumed role. Like SecretValue, printing,
 * logging and JSON show a placeholder; only the port reads the keys.
 */
export class AwsSession extends Redacted {
  readonly #accessKeyId: string;
  readonly #secretAccessKey: string;
  readonly #sessionToken: string;

  constructor(keys: { accessKeyId: string; secretAccessKey: string; sessionToken: string }, readonly expiration: Date, readonly assumedRoleArn: string) {
    super("[aws session credentials]");
    this.#accessKeyId = keys.accessKeyId;
    this.#secretAccessKey = keys.secretAccessKey;
    this.#sessionToken = keys.sessionToken;
  }

  /** For the SDK client only. */
  reveal(): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } {
    return { accessKeyId: this.#accessKeyId, secretAccessKey: this.#secretAccessKey, sessionToken: this.#sessionToken, expiration: this.expiration };
  }

  /** A key for reusing one client per session (the access key id is not secret). */
  get id(): string {
    return this.#accessKeyId;
  }
}

export interface FetchedAwsSecret {
  /** Null when the secret holds SecretBinary instead of SecretString. */
  readonly value: SecretValue | null;
  readonly versionId: string;
  /** The full ARN AWS resolved the SecretId to. */
  readonly arn: string;
}

export interface AssumeRoleInput {
  readonly region: string;
  readonly roleArn: string;
  readonly externalId: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
}

export interface SecretCallInput {
  readonly region: string;
  /** A full or partial ARN, or (for probes) an ARN that names no secret. */
  readonly secretId: string;
  readonly session: AwsSession;
}

export interface AwsPort {
  assumeRole(input: AssumeRoleInput, signal: AbortSignal): Promise<AwsSession>;
  /** Who the platform identity is (allowed even without any IAM permission). */
  callerIdentity(region: string, signal: AbortSignal): Promise<{ readonly arn: string; readonly accountId: string }>;
  /** VersionStage AWSCURRENT. */
  getSecretValue(input: SecretCallInput, signal: AbortSignal): Promise<FetchedAwsSecret>;
  /** Reads metadata only. */
  describeSecret(input: SecretCallInput, signal: AbortSignal): Promise<void>;
}

/** Thrown before a request leaves for an endpoint the policy does not allow. */
export class EndpointNotAllowedError extends Error {
  override readonly name = "EndpointNotAllowedError";
}

export interface SdkPortOptions {
  readonly platformIdentity: AwsPlatformIdentity;
  /** The platform's home region (web-identity exchange). */
  readonly region: string;
  readonly endpoints: EndpointPolicy;
  /** Clients kept per session; the oldest are destroyed beyond this. */
  readonly maxSessionClients?: number;
}

interface MiddlewareArgs { readonly request: unknown }
interface Stack { add(middleware: (next: (args: MiddlewareArgs) => Promise<unknown>) => (args: MiddlewareArgs) => Promise<unknown>, options: { step: "finalizeRequest"; name: string; priority: "low" }): void }

/** The origin a smithy HttpRequest is going to, read structurally. */
function originOf(request: unknown): string {
  const r = (typeof request === "object" && request !== null ? request : {}) as { protocol?: unknown; hostname?: unknown; port?: unknown };
  const protocol = typeof r.protocol === "string" ? (r.protocol.endsWith(":") ? r.protocol : `${r.protocol}:`) : "https:";
  const hostname = typeof r.hostname === "string" ? r.hostname : "";
  const port = typeof r.port === "number" ? `:${r.port}` : "";
  return new URL(`${protocol}//${hostname}${port}`).origin;
}

/** Every request of a client must go to the one endpoint it was made for, and that endpoint must be allowed. */
function guard(stack: Stack, endpoint: string, policy: EndpointPolicy): void {
  const expected = new URL(endpoint).origin;
  stack.add((next) => (args) => {
    const origin = originOf(args.request);
    if (origin !== expected || !policy.isAllowed(origin)) return Promise.reject(new EndpointNotAllowedError(`vaultwire refused to send an AWS request to ${origin}: only ${expected} is allowed for it`));
    return next(args);
  }, { step: "finalizeRequest", name: "vaultwireEndpointGuard", priority: "low" });
}

type Credentials = STSClient["config"]["credentials"];

function platformCredentials(identity: AwsPlatformIdentity, region: string, endpoints: EndpointPolicy): Credentials | { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  switch (identity.method) {
    case "static-keys":
      return { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, ...(identity.sessionToken === undefined ? {} : { sessionToken: identity.sessionToken }) };
    case "web-identity":
      return fromTokenFile({
        roleArn: identity.roleArn,
        webIdentityTokenFile: identity.tokenFilePath,
        roleSessionName: identity.sessionName ?? "vaultwire",
        clientConfig: { region, endpoint: endpoints.endpointFor("sts", region), maxAttempts: 3 },
      });
    case "instance-metadata":
      return fromInstanceMetadata({ timeout: 2_000, maxRetries: 2 });
    case "container-metadata":
      return fromHttp({ timeout: 2_000, maxRetries: 2 });
  }
}

export class SdkAwsPort implements AwsPort {
  readonly #stsClients = new Map<string, STSClient>();
  readonly #secretClients = new Map<string, SecretsManagerClient>();
  readonly #credentials: ReturnType<typeof platformCredentials>;
  readonly #maxSessionClients: number;

  constructor(private readonly options: SdkPortOptions) {
    this.#credentials = platformCredentials(options.platformIdentity, options.region, options.endpoints);
    this.#maxSessionClients = options.maxSessionClients ?? 256;
  }

  async assumeRole(input: AssumeRoleInput, signal: AbortSignal): Promise<AwsSession> {
    const output = await this.#sts(input.region).send(new AssumeRoleCommand({
      RoleArn: input.roleArn,
      RoleSessionName: input.sessionName,
      ExternalId: input.externalId,
      DurationSeconds: input.durationSeconds,
    }), { abortSignal: signal });
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw Object.assign(new Error("AssumeRole returned no credentials"), { name: "IncompleteAssumeRoleResponse" });
    return new AwsSession({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, c.Expiration, output.AssumedRoleUser?.Arn ?? input.roleArn);
  }

  async callerIdentity(region: string, signal: AbortSignal): Promise<{ arn: string; accountId: string }> {
    const output = await this.#sts(region).send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    return { arn: output.Arn ?? "", accountId: output.Account ?? "" };
  }

  async getSecretValue(input: SecretCallInput, signal: AbortSignal): Promise<FetchedAwsSecret> {
    const output = await this.#secrets(input.region, input.session).send(new GetSecretValueCommand({ SecretId: input.secretId, VersionStage: "AWSCURRENT" }), { abortSignal: signal });
    return {
      value: typeof output.SecretString === "string" ? new SecretValue(output.SecretString) : null,
      versionId: output.VersionId ?? "",
      arn: output.ARN ?? input.secretId,
    };
  }

  async describeSecret(input: SecretCallInput, signal: AbortSignal): Promise<void> {
    await this.#secrets(input.region, input.session).send(new DescribeSecretCommand({ SecretId: input.secretId }), { abortSignal: signal });
  }

  #endpoint(service: AwsService, region: string): string {
    return this.options.endpoints.endpointFor(service, region);
  }

  #sts(region: string): STSClient {
    const endpoint = this.#endpoint("sts", region);
    const key = `${region}|${endpoint}`;
    let client = this.#stsClients.get(key);
    if (!client) {
      client = new STSClient({ region, endpoint, credentials: this.#credentials, maxAttempts: 1 });
      guard(client.middlewareStack as unknown as Stack, endpoint, this.options.endpoints);
      this.#stsClients.set(key, client);
    }
    return client;
  }

  #secrets(region: string, session: AwsSession): SecretsManagerClient {
    const endpoint = this.#endpoint("secretsmanager", region);
    const key = `${region}|${endpoint}|${session.id}`;
    let client = this.#secretClients.get(key);
    if (!client) {
      const keys = session.reveal();
      client = new SecretsManagerClient({ region, endpoint, credentials: keys, maxAttempts: 1 });
      guard(client.middlewareStack as unknown as Stack, endpoint, this.options.endpoints);
      this.#secretClients.set(key, client);
      while (this.#secretClients.size > this.#maxSessionClients) {
        const [oldestKey, oldest] = this.#secretClients.entries().next().value ?? [];
        if (oldestKey === undefined) break;
        oldest?.destroy();
        this.#secretClients.delete(oldestKey);
      }
    }
    return client;
  }

  /** Closes every client's sockets. */
  destroy(): void {
    for (const client of [...this.#stsClients.values(), ...this.#secretClients.values()]) client.destroy();
    this.#stsClients.clear();
    this.#secretClients.clear();
  }
}
