// The console's inline identifier check follows the chosen secret manager:
// Azure identifiers against the vault hosts, AWS secret ARNs by their grammar.
import { describe, expect, it } from "vitest";
import { buildConfig, checkIdentifier, draftOf, emptyForm, extraAuthFields, hasWork, identifierHint, readDraft, uniqueMessages } from "../../console/src/form-model.js";
import { catalog } from "../../src/catalog/index.js";
import { validateConnectorConfig } from "../../src/domain/connector-validation.js";
import { identifierGrammars } from "../../src/secret-managers/grammars.js";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-credentials-AbCdEf";

describe("the Add connector form's identifier check", () => {
  it("takes a secret ARN, with or without a JSON key, when AWS Secrets Manager is chosen", () => {
    expect(checkIdentifier(`${ARN}::password`, null, "AWS_SECRETS_MANAGER")).toBeNull();
    expect(checkIdentifier(ARN, null, "AWS_SECRETS_MANAGER")).toBeNull();
  });

  it("names what is wrong in an ARN without echoing it, and refuses an Azure identifier for AWS", () => {
    const typo = checkIdentifier("arn:aws:secretsmanager:eu-west-1:12345:secret:Pa55-canary", null, "AWS_SECRETS_MANAGER");
    expect(typo?.kind).toBe("error");
    expect(typo?.message).not.toContain("Pa55-canary");
    expect(checkIdentifier("https://my-vault.vault.azure.net::db::password", null, "AWS_SECRETS_MANAGER")?.kind).toBe("error");
  });

  it("keeps Azure's check (and refuses an ARN) for Azure Key Vault", () => {
    expect(checkIdentifier("https://my-vault.vault.azure.net::db::password", null, "AZURE_KEY_VAULT")).toBeNull();
    expect(checkIdentifier(ARN, null, "AZURE_KEY_VAULT")?.kind).toBe("error");
  });

  it("shows the chosen manager's format and example", () => {
    expect(identifierHint("AWS_SECRETS_MANAGER").format).toBe("<secret-arn> or <secret-arn>::<json-key>");
    expect(identifierHint("AZURE_KEY_VAULT").format).toContain("<vault-uri>");
    expect(identifierHint("").format).toContain("<vault-uri>");
  });
});

describe("the Add connector draft and form rules", () => {
  const place = { environmentId: "env-1", clusterId: "lkc-1" };
  const report = validateConnectorConfig({ "connector.class": "SqlServerCdcSourceV2" }, { plugins: catalog, grammars: identifierGrammars() });

  it("keeps everything but the values of sensitive fields typed in plaintext", () => {
    const form = { ...emptyForm("SqlServerCdcSourceV2", report), name: "orders", values: { "database.user": "cdc", "database.password": "Typed-Secret-0042", "kafka.api.secret": "Kafka-Secret-0042", "not.a.field": "x" } };
    const draft = draftOf(report, form, place, "SqlServerCdcSourceV2");
    const text = JSON.stringify(draft);
    expect(text).not.toContain("Typed-Secret-0042");
    expect(text).not.toContain("Kafka-Secret-0042");
    expect(draft.form?.values).toEqual({ "database.user": "cdc" });
    expect(draft.form?.name).toBe("orders");
    // Read back only for the same cluster, and only when it has the draft's shape.
    expect(readDraft(JSON.parse(text), place)?.form?.name).toBe("orders");
    expect(readDraft(JSON.parse(text), { ...place, clusterId: "lkc-2" })).toBeNull();
    expect(readDraft({ version: 2, ...place, plugin: "x", form: null }, place)).toBeNull();
    expect(readDraft({ version: 1, ...place, plugin: "SqlServerCdcSourceV2", form: { plugin: "MySqlCdcSourceV2", managed: [], values: {} } }, place)).toBeNull();
    expect(readDraft("garbage", place)).toBeNull();
  });

  it("presets the main choices of required groups to their defaults, never a placeholder, and knows when there is work to lose", () => {
    const fresh = emptyForm("SqlServerCdcSourceV2", report);
    expect(fresh.values).toEqual({ "database.encrypt": "false", "output.data.format": "JSON", "output.key.format": "JSON" });
    expect(hasWork(report, fresh)).toBe(false);
    expect(hasWork(report, { ...fresh, name: "x" })).toBe(true);
    expect(hasWork(report, { ...fresh, values: { ...fresh.values, "database.encrypt": "true" } })).toBe(true);
    expect(hasWork(null, null)).toBe(false);
  });

  it("shows an identity method's integration only for that method, and says each message once", () => {
    const fresh = emptyForm("SqlServerCdcSourceV2", report);
    const names = (form: typeof fresh) => extraAuthFields(report, form).map((c) => c.definition.name);
    expect(names(fresh)).not.toContain("provider.integration.id");
    expect(names({ ...fresh, authMethod: "Microsoft Entra ID application" })).toContain("provider.integration.id");
    const withStale = { ...fresh, values: { ...fresh.values, "provider.integration.id": "cspi-1" } };
    expect(buildConfig(report, withStale)["provider.integration.id"]).toBeUndefined();
    expect(buildConfig(report, { ...withStale, authMethod: "Microsoft Entra ID application" })["provider.integration.id"]).toBe("cspi-1");
    expect(uniqueMessages(["Vault host \"a\" is not allowed.", "vault host \"a\" is not allowed", "other"])).toEqual(["Vault host \"a\" is not allowed.", "other"]);
  });
});
