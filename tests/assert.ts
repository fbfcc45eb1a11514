/**
 * The few assertions the tests use, on top of node:assert (the Deno standard
 * library is not reachable from these machines; STACK.md).
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

// functions, not the node:assert ones re-typed: @types/node (which ioredis's types pull in)
// declares them with overloads that an assignment to a narrower type does not accept
export function assert(value: unknown, message?: string): asserts value {
  if (message === undefined) nodeAssert.ok(value);
  else nodeAssert.ok(value, message);
}
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  if (message === undefined) nodeAssert.deepStrictEqual(actual, expected);
  else nodeAssert.deepStrictEqual(actual, expected, message);
}

/** |actual − expected| ≤ tol, with both numbers in the message. */
export function assertAlmostEquals(actual: number, expected: number, tol: number, msg = ""): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(
      `${msg ? msg + ": " : ""}expected ${expected} ± ${tol}, got ${actual} (off by ${
        Math.abs(actual - expected)
      })`,
    );
  }
}

/** fn throws an instance of ErrorClass whose message contains `includes`. */
export function assertThrows(
  fn: () => unknown,
  ErrorClass: new (...args: never[]) => Error,
  includes = "",
): Error {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ErrorClass)) throw new Error(`expected ${ErrorClass.name}, got ${e}`);
    if (!e.message.includes(includes)) {
      throw new Error(`expected message to include "${includes}", got "${e.message}"`);
    }
    return e;
  }
  throw new Error(`expected ${ErrorClass.name} to be thrown`);
}
