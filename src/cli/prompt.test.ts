import { describe, expect, it } from "vitest";
import type { CliIo } from "./io.js";
import { askRequired, confirm, createPrompter } from "./prompt.js";

function io(stdin: string, promptLine?: CliIo["promptLine"]): { io: CliIo; err: () => string; reads: () => number } {
  let err = "";
  let reads = 0;
  return {
    io: {
      stdout: () => undefined,
      stderr: (t) => { err += t; },
      readFile: () => Promise.reject(new Error("unused")),
      env: {},
      readStdin: () => { reads++; return Promise.resolve(stdin); },
      waitForShutdown: () => new Promise(() => undefined),
      ...(promptLine ? { promptLine } : {}),
    },
    err: () => err,
    reads: () => reads,
  };
}

describe("prompts", () => {
  it("reads answers as lines of stdin when there is no terminal, once", async () => {
    const fake = io("KEY\r\n  secret  \n");
    const prompter = createPrompter(fake.io);
    expect(await prompter.ask("API key:")).toBe("KEY");
    expect(await prompter.ask("API secret:", { secret: true })).toBe("secret");
    expect(await prompter.ask("more?")).toBeNull();
    expect(fake.reads()).toBe(1);
    expect(fake.err()).toBe("API key:\nAPI secret:\nmore?\n");
  });

  it("asks the terminal when there is one, saying which answers are secret", async () => {
    const asked: [string, boolean][] = [];
    const fake = io("unused", (question, options) => { asked.push([question, options.secret]); return Promise.resolve(" answer "); });
    expect(await createPrompter(fake.io).ask("API secret:", { secret: true })).toBe("answer");
    expect(asked).toEqual([["API secret:", true]]);
    expect(fake.reads()).toBe(0);
  });

  it("confirms with y or yes, refuses with n, re-asks otherwise", async () => {
    expect(await confirm(createPrompter(io("y\n").io), "Delete?")).toBe(true);
    expect(await confirm(createPrompter(io("YES\n").io), "Delete?")).toBe(true);
    expect(await confirm(createPrompter(io("n\n").io), "Delete?")).toBe(false);
    const fake = io("maybe\ny\n");
    expect(await confirm(createPrompter(fake.io), "Delete?")).toBe(true);
    expect(fake.err()).toBe("Delete? (y/n)\nDelete? (y/n)\n");
    expect(await confirm(createPrompter(io("a\nb\nc\ny\n").io), "Delete?")).toBe(false);
  });

  it("turns a missing answer into an error that suggests the flag", async () => {
    await expect(confirm(createPrompter(io("").io), "Delete?")).rejects.toThrow("no answer to the confirmation question");
    await expect(askRequired(createPrompter(io("").io), "API key:", "--api-key")).rejects.toThrow("no api key given");
  });
});
