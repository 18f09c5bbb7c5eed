/**
 * JSON.parse without its message: V8 quotes the text around the error
 * (`Unexpected token 'Q', ..."password": QsZuDq4"...`), and the text may be a
 * config file holding a secret. Failures say only where (line and column,
 * when the engine gives a position), never what.
 */
import { err, ok, type Result } from "./result.js";

export function parseJsonText(text: string): Result<unknown, string> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return err(`not valid JSON${locate(text, error instanceof Error ? error.message : "")}`);
  }
}

function locate(text: string, message: string): string {
  if (/end of JSON input/i.test(message)) return " (it ends too early)";
  const match = /at position (\d+)/.exec(message);
  if (!match?.[1]) return "";
  const position = Math.min(Number(match[1]), text.length);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return ` at line ${line}, column ${column}`;
}
