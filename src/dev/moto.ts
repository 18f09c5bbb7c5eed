/**
 * moto, a real implementation of the AWS APIs (PyPI `moto[server]`), for
 * local tooling: the AWS suites (test/aws/moto.ts re-exports this) and
 * `npm run quickstart -- --secret-manager aws`. Each caller starts its own
 * moto_server on a free loopback port, so one switching IAM enforcement on
 * (POST /moto-api/reset-auth) never affects another running in parallel.
 *
 * The binary is VAULTWIRE_TEST_MOTO_SERVER, else the venv that .ci/run (and
 * `installMoto`) lays out in ~/.cache/vaultwire/moto-venv. Not in the npm
 * package (src/dev/): @aws-sdk/client-iam is a devDependency.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { freePorts } from "./local-kafka.js";

/** The moto release CI pins (.ci/run). */
export const MOTO_VERSION = "5.2.5";
/** Where .ci/run and `installMoto` put moto. */
export const MOTO_VENV = join(homedir(), ".cache", "vaultwire", "moto-venv");
const DEFAULT_BINARY = join(MOTO_VENV, "bin", "moto_server");

/** The moto_server binary: VAULTWIRE_TEST_MOTO_SERVER, or the venv .ci/run installs; undefined when neither exists. */
export function motoBinary(): string | undefined {
  const given = process.env.VAULTWIRE_TEST_MOTO_SERVER;
  if (given !== undefined && given !== "") return given;
  return existsSync(DEFAULT_BINARY) ? DEFAULT_BINARY : undefined;
}

/**
 * Installs moto[server] into MOTO_VENV when no moto_server is found (python3
 * -m venv, then pip), as .ci/run does; returns the binary. Throws with pip's
 * last lines when that fails (no python3-venv, no network).
 */
export function installMoto(): string {
  const found = motoBinary();
  if (found !== undefined) return found;
  const step = (command: string, args: string[], what: string) => {
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0) {
      rmSync(MOTO_VENV, { recursive: true, force: true });
      const output = (result.stderr || result.stdout || result.error?.message || "").trim().split("\n").slice(-5).join("\n");
      throw new Error(`${what} failed: ${output}`);
    }
  };
  rmSync(MOTO_VENV, { recursive: true, force: true });
  step("python3", ["-m", "venv", MOTO_VENV], `creating a Python venv in ${MOTO_VENV} (python3 -m venv; on Debian: apt-get install python3-venv)`);
  step(join(MOTO_VENV, "bin", "pip"), ["install", "-q", "--disable-pip-version-check", `moto[server]==${MOTO_VERSION}`], `pip install moto[server]==${MOTO_VERSION}`);
  return DEFAULT_BINARY;
}

export interface Moto {
  readonly url: string;
  /** IAM enforcement: "0" checks every request from now on, "inf" none (moto's reset-auth). */
  setAuth(count: "0" | "inf"): Promise<void>;
  close(): Promise<void>;
}

/** Starts a moto_server of its own on a free loopback port and waits until it answers. */
export async function startMoto(binary: string | undefined = motoBinary()): Promise<Moto> {
  if (binary === undefined) throw new Error("moto_server not found (VAULTWIRE_TEST_MOTO_SERVER)");
  const [port] = await freePorts([undefined]);
  const child: ChildProcess = spawn(binary, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => { stderr = (stderr + chunk.toString("utf8")).slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    const up = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${url} within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async setAuth(count) {
      const response = await fetch(`${url}/moto-api/reset-auth`, { method: "POST", body: count });
      if (!response.ok) throw new Error(`moto reset-auth answered ${response.status}`);
    },
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once("exit", () => { resolve(); });
      child.kill("SIGTERM");
    }),
  };
}

/** moto's default account: every user and role below lives in it. */
export const MOTO_ACCOUNT = "123456789012";

export interface AwsAccount {
  /** vaultwire's platform identity: an IAM user allowed sts:AssumeRole only. */
  readonly platform: { readonly arn: string; readonly accessKeyId: string; readonly secretAccessKey: string };
  /** An admin user's keys, for the caller's own setup (creating and rotating secrets). */
  readonly admin: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * A customer role that trusts the platform user with `externalId` and may
   * read secrets (secretsmanager:GetSecretValue, DescribeSecret).
   */
  createReaderRole(name: string, externalId: string): Promise<string>;
}

/** The ARN a role of this name gets in moto's account (known before the role exists: an integration names it first). */
export function motoRoleArn(name: string): string {
  return `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;
}

/** Users and roles in moto's default account (123456789012), made while IAM enforcement is off. */
export async function setUpAwsAccount(moto: Moto, suffix: string, region = "us-east-1"): Promise<AwsAccount> {
  await moto.setAuth("inf");
  const iam = new IAMClient({ region, endpoint: moto.url, credentials: { accessKeyId: "AKIASETUP0000000000", secretAccessKey: "setup" } });
  const user = async (name: string, policy: object) => {
    const created = await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { arn: created.User?.Arn ?? "", accessKeyId: key.AccessKey?.AccessKeyId ?? "", secretAccessKey: key.AccessKey?.SecretAccessKey ?? "" };
  };
  const admin = await user(`admin-${suffix}`, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
  const platform = await user(`vaultwire-${suffix}`, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] });
  return {
    platform,
    admin: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    async createReaderRole(name, externalId) {
      // The admin's keys: this may run after IAM enforcement is switched on.
      const asAdmin = new IAMClient({ region, endpoint: moto.url, credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey } });
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: platform.arn }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": externalId } } }] };
      const created = await asAdmin.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
      // moto checks Secrets Manager permissions against "*" only (decision record): a per-secret Resource would deny even that secret.
      await asAdmin.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: "*" }] }) }));
      return created.Role?.Arn ?? "";
    },
  };
}
