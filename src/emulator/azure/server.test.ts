import { describe, expect, it } from "vitest";
import { isLoopback } from "./server.js";

describe("the admin API's loopback check", () => {
  it("accepts only loopback addresses", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1"]) expect(isLoopback(address), address).toBe(true);
    for (const address of ["10.0.0.1", "192.168.1.1", "::", "", "fe80::1", "128.0.0.1"]) expect(isLoopback(address), address).toBe(false);
  });
});
