import { describe, expect, it } from "vitest";
import type { CliIo } from "./io.js";
import { waitForConnector, type Clock, type ObservedState } from "./progress.js";

function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { now: () => now, sleep: (ms) => { slept.push(ms); now += ms; return Promise.resolve(); }, slept };
}

function io(tty: boolean): { io: CliIo; out: () => string } {
  let out = "";
  return {
    io: { stdout: (t) => { out += t; }, stderr: () => undefined, readFile: () => Promise.reject(new Error("unused")), env: {}, readStdin: () => Promise.resolve(""), waitForShutdown: () => new Promise(() => undefined), stdoutIsTTY: tty },
    out: () => out,
  };
}

function sequence(states: ObservedState[]): () => Promise<ObservedState> {
  return () => Promise.resolve(states.length > 1 ? states.shift() ?? { state: "", trace: "" } : states[0] ?? { state: "", trace: "" });
}

const provisioning = { state: "PROVISIONING", trace: "waiting" };

describe("waitForConnector", () => {
  it("prints one line per state change without a terminal, until RUNNING", async () => {
    const fake = io(false);
    const clock = fakeClock();
    const outcome = await waitForConnector({ io: fake.io, label: "connector \"lcc-1\"", timeoutMs: 60_000, clock, poll: sequence([provisioning, provisioning, { state: "DEGRADED", trace: "" }, { state: "RUNNING", trace: "" }]) });
    expect(outcome.kind).toBe("running");
    expect(fake.out()).toBe("Waiting for connector \"lcc-1\": PROVISIONING\nWaiting for connector \"lcc-1\": DEGRADED\n");
    expect(clock.slept).toEqual([1000, 1000, 1000]);
  });

  it("stops at FAILED with the trace", async () => {
    const outcome = await waitForConnector({ io: io(false).io, label: "c", timeoutMs: 60_000, clock: fakeClock(), poll: sequence([provisioning, { state: "FAILED", trace: "database.password: denied" }]) });
    expect(outcome).toEqual({ kind: "failed", last: { state: "FAILED", trace: "database.password: denied" } });
  });

  it("gives up at the timeout with the last state", async () => {
    const clock = fakeClock();
    const outcome = await waitForConnector({ io: io(false).io, label: "c", timeoutMs: 2500, clock, poll: sequence([provisioning]) });
    expect(outcome).toEqual({ kind: "timeout", last: provisioning });
    expect(clock.now()).toBe(2500);
  });

  it("draws a spinner with the state and elapsed time on a terminal, then clears it", async () => {
    const fake = io(true);
    const outcome = await waitForConnector({ io: fake.io, label: "connector \"lcc-1\"", timeoutMs: 60_000, clock: fakeClock(), poll: sequence([provisioning, provisioning, { state: "RUNNING", trace: "" }]) });
    expect(outcome.kind).toBe("running");
    const frames = fake.out().split("\r\u001b[2K").filter((f) => f !== "");
    expect(frames.length).toBe(20);
    expect(frames[0]).toBe("⠋ Waiting for connector \"lcc-1\": PROVISIONING (0s)");
    expect(frames[19]).toBe("⠏ Waiting for connector \"lcc-1\": PROVISIONING (1s)");
    expect(fake.out().endsWith("\r\u001b[2K")).toBe(true);
    expect(fake.out()).not.toContain("\n");
  });

  it("does not draw anything when the connector is already RUNNING", async () => {
    const fake = io(true);
    await waitForConnector({ io: fake.io, label: "c", timeoutMs: 1000, clock: fakeClock(), poll: sequence([{ state: "RUNNING", trace: "" }]) });
    expect(fake.out()).toBe("");
  });
});
