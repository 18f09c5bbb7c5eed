import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { terminalPrompt, type TerminalInput } from "./terminal.js";

function fakeTerminal(): { input: TerminalInput & PassThrough; output: PassThrough; written: () => string; rawModes: boolean[] } {
  const rawModes: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isRaw: false, setRawMode(mode: boolean) { rawModes.push(mode); return this; } });
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => { written += chunk.toString(); });
  return { input, output, written: () => written, rawModes };
}

describe("terminalPrompt", () => {
  it("reads a secret in raw mode without echoing it, honouring backspace", async () => {
    const t = fakeTerminal();
    const answer = terminalPrompt(t.input, t.output)("API secret:", { secret: true });
    t.input.write("s3");
    t.input.write("x\u007fcret\r");
    expect(await answer).toBe("s3cret");
    expect(t.written()).toBe("API secret: \n");
    expect(t.rawModes).toEqual([true, false]);
  });

  it("gives null for Ctrl+C and for Ctrl+D on an empty answer", async () => {
    const t = fakeTerminal();
    const cancelled = terminalPrompt(t.input, t.output)("API secret:", { secret: true });
    t.input.write("abc\u0003");
    expect(await cancelled).toBeNull();
    const ended = terminalPrompt(t.input, t.output)("API secret:", { secret: true });
    t.input.write("\u0004");
    expect(await ended).toBeNull();
  });

  it("reads a plain answer with readline", async () => {
    const t = fakeTerminal();
    const answer = terminalPrompt(t.input, t.output)("API key:", { secret: false });
    t.input.write("ABCDEF\n");
    expect(await answer).toBe("ABCDEF");
    expect(t.written()).toContain("API key: ");
  });
});
