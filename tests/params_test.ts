import { didYouMean, editDistance } from "../src/params/did_you_mean.ts";
import { assertEquals, assertThrows } from "./assert.ts";
import {
  flagName,
  ParamError,
  paramName,
  type ParamsSchema,
  parseFlagValue,
  resolveParams,
  toJsonSchema,
} from "../src/params/schema.ts";

const SCHEMA = {
  sigma_w2: { kind: "number", default: 1.5, min: 0, max: 10, help: "σw²" },
  depth: { kind: "number", default: 30, min: 1, max: 1000, integer: true, help: "L" },
  activation: { kind: "enum", default: "tanh", values: ["tanh", "relu"], help: "φ" },
} as const satisfies ParamsSchema;

Deno.test("resolveParams() fills defaults and keeps given values", () => {
  assertEquals(resolveParams(SCHEMA, {}), { sigma_w2: 1.5, depth: 30, activation: "tanh" });
  assertEquals(resolveParams(SCHEMA, { depth: 5, activation: "relu" }).depth, 5);
});

Deno.test("resolveParams() names the param and what is allowed", () => {
  const e = assertThrows(
    () => resolveParams(SCHEMA, { sigma_w2: -1 }),
    ParamError,
    "sigma_w2 must be a number in [0, 10], got -1",
  );
  assertEquals((e as ParamError).asFlag(), "--sigma-w2 must be a number in [0, 10], got -1");
  assertThrows(
    () => resolveParams(SCHEMA, { depth: 2.5 }),
    ParamError,
    "depth must be an integer in [1, 1000]",
  );
  assertThrows(
    () => resolveParams(SCHEMA, { activation: "gelu" }),
    ParamError,
    'must be one of tanh, relu, got "gelu"',
  );
  assertThrows(() => resolveParams(SCHEMA, { sigma_w2: "abc" }), ParamError, 'got "abc"');
  assertThrows(() => resolveParams(SCHEMA, { sigma_w2: NaN }), ParamError, "sigma_w2 must be");
  assertThrows(
    () => resolveParams(SCHEMA, { width: 3 }),
    ParamError,
    "width is not a param; allowed: sigma_w2, depth, activation",
  );
});

Deno.test("flagName() and paramName() map snake_case params to kebab-case flags and back", () => {
  assertEquals(flagName("sigma_w2"), "--sigma-w2");
  assertEquals(paramName("--sigma-w2"), "sigma_w2");
  assertEquals(paramName("-x"), undefined);
});

Deno.test("parseFlagValue() parses numbers and leaves junk for validation to refuse", () => {
  assertEquals(parseFlagValue(SCHEMA.sigma_w2, "1e-1"), 0.1);
  assertEquals(parseFlagValue(SCHEMA.sigma_w2, " "), " ");
  assertEquals(parseFlagValue(SCHEMA.sigma_w2, "abc"), "abc");
  assertEquals(parseFlagValue(SCHEMA.activation, "relu"), "relu");
});

Deno.test("toJsonSchema() states types, bounds, enums and defaults", () => {
  const js = toJsonSchema(SCHEMA) as { properties: Record<string, Record<string, unknown>> };
  assertEquals(js.properties.depth.type, "integer");
  assertEquals(js.properties.sigma_w2.minimum, 0);
  assertEquals(js.properties.activation.enum, ["tanh", "relu"]);
  assertEquals(js.properties.activation.default, "tanh");
});

Deno.test("didYouMean(): a typo gets the nearest name; a different word gets none; HTTP and CLI say it", () => {
  assertEquals(editDistance("--wdith", "--width"), 1); // a swap of neighbours is one edit
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(didYouMean("--wdith", ["--depth", "--width", "--seed"]), "--width");
  assertEquals(didYouMean("--sigma-w", ["--sigma-w2", "--sigma-b2"]), "--sigma-w2");
  assertEquals(didYouMean("--temperature", ["--width", "--depth"]), undefined);
  assertThrows(
    () =>
      resolveParams({ width: { kind: "number", default: 1, min: 1, max: 9, help: "N" } }, {
        wdith: 3,
      }),
    ParamError,
    "wdith is not a param (did you mean width?); allowed: width",
  );
});
