import { describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { choice, expectPositionals, formatDuration, parseDuration, parseKeyValues, parseOutput } from "./flags.js";

function usage(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError) return error;
  }
  throw new Error("expected a CliError");
}

describe("flags", () => {
  it("parses durations and prints them back", () => {
    expect(parseDuration("5m", "timeout", "x")).toBe(300_000);
    expect(parseDuration("90s", "timeout", "x")).toBe(90_000);
    expect(parseDuration("1h", "timeout", "x")).toBe(3_600_000);
    expect(parseDuration("250ms", "timeout", "x")).toBe(250);
    expect(parseDuration("30", "timeout", "x")).toBe(30_000);
    expect(parseDuration("1.5s", "timeout", "x")).toBe(1500);
    for (const bad of ["", "soon", "-1s", "0", "5d", "25h"]) {
      const error = usage(() => parseDuration(bad, "timeout", "vaultwire x"));
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain("--timeout");
    }
    expect(formatDuration(300_000)).toBe("5m0s");
    expect(formatDuration(3_723_000)).toBe("1h2m3s");
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(1500)).toBe("1.5s");
  });

  it("reads key=value pairs whose values hold = and ,", () => {
    expect({ ...parseKeyValues(["tasks.max=2", "secret.manager.managed.configs=database.user,database.password", "a=b=c", "empty="], "config", "x") }).toEqual({
      "tasks.max": "2",
      "secret.manager.managed.configs": "database.user,database.password",
      a: "b=c",
      empty: "",
    });
    expect(usage(() => parseKeyValues(["novalue"], "config", "x")).message).toBe("invalid value \"novalue\" for flag \"--config\": expected key=value");
    expect(usage(() => parseKeyValues(["=x"], "config", "x")).exitCode).toBe(2);
  });

  it("checks positional arguments", () => {
    expect(expectPositionals([" env-1 "], "c", "<id>", 1)).toEqual(["env-1"]);
    expect(usage(() => expectPositionals([], "c", "<id>", 1)).message).toBe("missing argument <id>");
    expect(usage(() => expectPositionals(["a", "b"], "c", "<id>", 1)).message).toBe("unexpected argument \"b\": c takes one argument <id>");
    expect(usage(() => expectPositionals(["a"], "c", "", 0)).message).toBe("unexpected argument \"a\": c takes no arguments");
    expect(usage(() => expectPositionals([" "], "c", "<id>", 1)).message).toBe("argument <id> must not be empty");
  });

  it("matches choices case-insensitively and names the flag otherwise", () => {
    expect(choice("AZURE", "cloud", ["azure", "aws"], "c")).toBe("azure");
    expect(usage(() => choice("ibm", "cloud", ["azure", "aws"], "c")).message).toBe("invalid value \"ibm\" for flag \"--cloud\": expected one of azure, aws");
    expect(parseOutput("JSON", "c")).toBe("json");
    expect(parseOutput(undefined, "c")).toBe("human");
    expect(usage(() => parseOutput("xml", "c")).exitCode).toBe(2);
  });
});
