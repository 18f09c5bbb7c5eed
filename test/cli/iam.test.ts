// `vaultwire iam service-account …`, `iam rbac role-binding …` and API keys
// owned by service accounts (`api-key create --service-account`, `api-key
// update`) against a real server (decision 45).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCleanError, expectGolden, objectId, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
});
afterAll(async () => { await f.close(); });

describe("vaultwire iam service-account", () => {
  let account: string;
  let envId: string;

  it("creates, lists, describes and updates service accounts", async () => {
    const created = JSON.parse(await f.ok(["iam", "service-account", "create", "terraform", "--description", "infrastructure", "-o", "json"])) as { id: string; name: string; description: string };
    expect(created).toMatchObject({ name: "terraform", description: "infrastructure" });
    expect(created.id).toMatch(/^sa-[a-z0-9]{8}$/);
    account = created.id;
    await expectGolden("iam-service-account-describe", await f.ok(["iam", "service-account", "describe", account]));
    expect(await f.ok(["iam", "service-account", "update", account, "--description", "payments pipeline"])).toBe(`Updated service account "${account}".\n`);
    const listed = await f.ok(["iam", "service-account", "list"]);
    expect(listed).toContain("payments pipeline");
    await expectGolden("iam-service-account-list", listed);
  });

  it("refuses what is wrong, clearly", async () => {
    const taken = await f.cli(["iam", "service-account", "create", "terraform"]);
    expectCleanError(taken, 1, "a service account named \"terraform\" already exists");
    const unknown = await f.cli(["iam", "service-account", "describe", "sa-00000000"]);
    expectCleanError(unknown, 1, "unknown service account ID \"sa-00000000\"");
    expect(unknown.err).toContain(`${account} (terraform)`);
    expectCleanError(await f.cli(["iam", "service-account", "update", account]), 2, "required flag \"--description\" not set");
    expectCleanError(await f.cli(["iam", "service-account", "create"]), 2, "<name>");
    expectCleanError(await f.cli(["iam", "service-account", "frobnicate"]), 2, "unknown command \"frobnicate\" for \"vaultwire iam service-account\"");
    for (const verb of ["create", "list", "describe", "update", "delete"]) expect((await f.cli(["iam", "service-account", verb, "--help"])).out).toContain("Examples:");
  });

  it("binds roles, lists and deletes bindings; an owned key has exactly its owner's powers", async () => {
    envId = objectId(await f.ok(["environment", "create", "payments", "-o", "json"]));
    const other = objectId(await f.ok(["environment", "create", "other", "-o", "json"]));
    const binding = JSON.parse(await f.ok(["iam", "rbac", "role-binding", "create", "--principal", `User:${account}`, "--role", "EnvironmentAdmin", "--environment", envId, "-o", "json"])) as Record<string, string>;
    expect(binding).toMatchObject({ principal: `User:${account}`, role: "EnvironmentAdmin", environment: envId, resource: "" });
    await expectGolden("iam-role-binding-list", await f.ok(["iam", "rbac", "role-binding", "list", "--environment", envId]));
    expect(await f.ok(["iam", "rbac", "role-binding", "list", "--principal", `User:${account}`])).toContain("EnvironmentAdmin");

    const key = JSON.parse(await f.ok(["api-key", "create", "--service-account", account, "--resource", "cloud", "--description", "tf", "-o", "json"])) as { api_key: string; api_secret: string; owner: string; resource: string };
    expect(key).toMatchObject({ owner: account, resource: "cloud" });
    const env = { VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: key.api_key, VAULTWIRE_API_SECRET: key.api_secret };
    expect((JSON.parse(await f.ok(["environment", "list", "-o", "json"], { env })) as { id: string }[]).map((e) => e.id)).toEqual([envId]);
    expectCleanError(await f.cli(["environment", "describe", other], { env }), 1, `unknown environment ID "${other}"`);
    // No privilege escalation: an EnvironmentAdmin cannot make anyone an OrganizationAdmin.
    const escalation = await f.cli(["iam", "rbac", "role-binding", "create", "--principal", `User:${account}`, "--role", "OrganizationAdmin"], { env });
    expectCleanError(escalation, 1, "binding OrganizationAdmin on the organization needs the OrganizationAdmin role");

    expect(await f.ok(["api-key", "list", "--service-account", account])).toContain(key.api_key);
    expect(await f.ok(["api-key", "update", key.api_key, "--description", "terraform, payments", "--display-name", "tf"])).toBe(`Updated API key "${key.api_key}".\n`);
    expect(JSON.parse(await f.ok(["api-key", "list", "--service-account", account, "-o", "json"]))).toEqual([expect.objectContaining({ api_key: key.api_key, display_name: "tf", description: "terraform, payments" })]);
    expectCleanError(await f.cli(["api-key", "update", key.api_key]), 2, "nothing to change");
    expectCleanError(await f.cli(["api-key", "update", "NOPENOPENOPENOPE", "--description", "x"]), 1, "unknown API key ID \"NOPENOPENOPENOPE\"");
    expectCleanError(await f.cli(["api-key", "create", "--service-account", account, "--role", "Operator"]), 2, "--role is only for keys without --service-account");
    expectCleanError(await f.cli(["api-key", "create", "--service-account", "sa-00000000"]), 1, "service account \"sa-00000000\", which does not exist");

    const missing = await f.cli(["iam", "rbac", "role-binding", "delete", "--principal", `User:${account}`, "--role", "Operator", "--environment", envId, "--force"]);
    expectCleanError(missing, 1, `no Operator role binding for "User:${account}" on "${envId}"`);
    expect(await f.ok(["iam", "rbac", "role-binding", "delete", "--principal", `User:${account}`, "--role", "EnvironmentAdmin", "--environment", envId], { stdin: "y\n" })).toMatch(/^Deleted role binding "rb-[a-z0-9]{8}"\.\n$/);
    // Without its binding the key sees nothing.
    expect(await f.ok(["environment", "list"], { env })).toBe("None found.\n");
    expectCleanError(await f.cli(["iam", "rbac", "role-binding", "create", "--principal", "Group:x", "--role", "Operator"]), 1, "principal must be User:sa-…");
    expectCleanError(await f.cli(["iam", "rbac", "role-binding", "create", "--principal", `User:${account}`, "--role", "CloudClusterAdmin", "--environment", envId]), 1, "role_name must be one of OrganizationAdmin");
    expectCleanError(await f.cli(["iam", "rbac", "role-binding", "create", "--principal", `User:${account}`, "--role", "Assigner", "--provider-integration", "cspi-1"]), 2, "--provider-integration needs --environment");
    expectCleanError(await f.cli(["iam", "rbac", "role-binding", "create", "--role", "Operator"]), 2, "required flag \"--principal\" not set");
    for (const verb of ["create", "list", "delete"]) expect((await f.cli(["iam", "rbac", "role-binding", verb, "--help"])).out).toContain("Examples:");
  });

  it("deletes a service account with its keys after checking and asking", async () => {
    const unknown = await f.cli(["iam", "service-account", "delete", "sa-00000000", "--force"]);
    expectCleanError(unknown, 1, "unknown service account ID \"sa-00000000\"");
    expect(await f.ok(["iam", "service-account", "delete", account], { stdin: "n\n" })).not.toContain("Deleted");
    expect(await f.ok(["iam", "service-account", "delete", account, "--force"])).toBe(`Deleted service account "${account}".\n`);
    expect(await f.ok(["api-key", "list", "--service-account", account])).toBe("None found.\n");
  });
});
