// `vaultwire dev azure start --rbac-delay/--delete-delay/--purge-delay`, the
// `timing` command and `throttle --retry-after window`, over the HTTP admin API.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../src/cli/commands/dev-azure-client.js";
import { devAzure } from "../../src/cli/commands/dev-azure.js";
import { captureIo, cli, until } from "./cli-io.js";

interface StartJson {
  authorityHost: string;
  caCertPath: string;
  tenantId: string;
  vaults: { name: string; vaultUri: string }[];
  app: { appId: string; clientSecret: string };
  timing: { rbacPropagationMs: number; deletionMs: number; purgeMs: number };
}

describe("vaultwire dev azure timing", () => {
  let stateDir: string;
  let stop: () => void;
  let started: Promise<number>;
  let summary: StartJson;
  let printedAt: number;
  const state = (): string[] => ["--state-dir", stateDir];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-timing-"));
    const shutdown = new Promise<string>((resolve) => { stop = () => { resolve("SIGTERM"); }; });
    const { io, out } = captureIo({ waitForShutdown: () => shutdown });
    started = devAzure(["start", "--state-dir", stateDir, "--port", "0", "--vault", "dev:0", "--app", "vaultwire", "--rbac-delay", "2000", "--delete-delay", "300", "--purge-delay", "200", "-o", "json"], io);
    summary = JSON.parse(await until(() => out().split("\n")[0] || undefined)) as StartJson;
    printedAt = Date.now();
  });

  afterAll(async () => {
    stop();
    await started;
    await rm(stateDir, { recursive: true, force: true });
  });

  it("starts every vault with the timing given, so even start's own role grant takes time to apply", async () => {
    expect(summary.timing).toEqual({ rbacPropagationMs: 2000, deletionMs: 300, purgeMs: 200 });
    const ca = await readFile(summary.caCertPath, "utf8");
    const credential = new ClientSecretCredential(summary.tenantId, summary.app.appId, summary.app.clientSecret, { authorityHost: summary.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
    const client = new SecretClient(summary.vaults[0]?.vaultUri ?? "", credential, { disableChallengeResourceVerification: true, tlsOptions: { ca }, retryOptions: { maxRetries: 0 } });
    expect((await cli(["dev", "azure", "secret", "set", "s", "v", "--vault", "dev", ...state()])).code).toBe(0);
    await expect(client.getSecret("s")).rejects.toMatchObject({ statusCode: 403 });
    // start granted the role before it printed the summary.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, printedAt + 2_050 - Date.now())));
    expect((await client.getSecret("s")).value).toBe("v");
  });

  it("shows and changes a vault's timing", async () => {
    const shown = await cli(["dev", "azure", "timing", "--vault", "dev", ...state()]);
    expect(shown).toEqual({ code: 0, out: "RBAC propagation: 2000 ms\nDeletion:         300 ms\nPurge:            200 ms\n", err: "" });
    const changed = await cli(["dev", "azure", "timing", "--vault", "dev", "--rbac-delay", "0", "--purge-delay", "1500", "-o", "json", ...state()]);
    expect(JSON.parse(changed.out)).toEqual({ rbacPropagationMs: 0, deletionMs: 300, purgeMs: 1500 });
    expect((await cli(["dev", "azure", "timing", "--vault", "dev", "--rbac-delay", "0", "--delete-delay", "0", "--purge-delay", "0", ...state()])).out).toBe("RBAC propagation: instant\nDeletion:         instant\nPurge:            instant\n");
    const status = await createAdminClient(summary.authorityHost, await readFile(summary.caCertPath, "utf8")).call("GET", "") as { vaults: { timing: unknown }[] };
    expect(status.vaults[0]?.timing).toEqual({ rbacPropagationMs: 0, deletionMs: 0, purgeMs: 0 });
  });

  it("throttles with a Retry-After computed from the window", async () => {
    const result = await cli(["dev", "azure", "throttle", "--vault", "dev", "--limit", "5", "--retry-after", "window", ...state()]);
    expect(result).toEqual({ code: 0, out: "Throttling at 5 requests per 10 s, Retry-After until the window has room.\n", err: "" });
    expect((await cli(["dev", "azure", "throttle", "--vault", "dev", "--off", ...state()])).code).toBe(0);
  });

  it("refuses bad values with exit 2 naming the flag, and admin refusals with exit 1", async () => {
    const badDelay = await cli(["dev", "azure", "timing", "--vault", "dev", "--rbac-delay", "2m", ...state()]);
    expect(badDelay.code).toBe(2);
    expect(badDelay.err.split("\n")[0]).toBe("Error: invalid value \"2m\" for flag \"--rbac-delay\": expected a whole number of milliseconds");
    const badRetry = await cli(["dev", "azure", "throttle", "--vault", "dev", "--limit", "1", "--retry-after", "later", ...state()]);
    expect(badRetry.err.split("\n")[0]).toBe("Error: invalid value \"later\" for flag \"--retry-after\": expected a whole number of seconds or \"window\"");
    const zeroWindow = await cli(["dev", "azure", "throttle", "--vault", "dev", "--limit", "0", "--retry-after", "window", ...state()]);
    expect(zeroWindow).toMatchObject({ code: 1, err: "Error: retryAfterSeconds \"window\" needs limitPer10Seconds of at least 1: with 0 the window never frees up\n" });
    const tooLong = await cli(["dev", "azure", "timing", "--vault", "dev", "--purge-delay", "3600001", ...state()]);
    expect(tooLong).toMatchObject({ code: 1, err: "Error: timing \"purgeMs\" must be a whole number of milliseconds from 0 to 3600000\n" });
    expect((await cli(["dev", "azure", "timing", "--vault", "nope", ...state()])).err).toBe("Error: vault \"nope\" does not exist\n");
    const badStart = await cli(["dev", "azure", "start", "--delete-delay", "-5", "--state-dir", stateDir]);
    expect(badStart.code).toBe(2);
  });

  it("refuses a timing body that is not an object of numbers on the admin API", async () => {
    const admin = createAdminClient(summary.authorityHost, await readFile(summary.caCertPath, "utf8"));
    await expect(admin.call("PUT", "/vaults/dev/timing", { deletionMs: "soon" })).rejects.toThrow("timing \"deletionMs\" must be a whole number of milliseconds from 0 to 3600000");
    await expect(admin.call("PUT", "/vaults/dev/timing", [1])).rejects.toThrow("the request body must be a JSON object");
    await expect(admin.call("POST", "/vaults", { name: "timed", tenantId: summary.tenantId, port: 0, timing: 5 })).rejects.toThrow("\"timing\" must be a JSON object");
    const created = await admin.call("POST", "/vaults", { name: "timed", tenantId: summary.tenantId, port: 0, timing: { deletionMs: 50 } }) as { vaultUri: string };
    expect(created.vaultUri).toMatch(/^https:\/\/localhost:\d+$/);
    expect(await admin.call("GET", "/vaults/timed/timing")).toEqual({ rbacPropagationMs: 2000, deletionMs: 50, purgeMs: 200 });
  });
});
