/** The CLI end to end: spawn `main.ts`, parse its NDJSON, check the envelope and exit codes. */
import { assert, assertEquals } from "./assert.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("run signal-propagation prints NDJSON rows with the envelope: meta first, done last, seq 0…n", async () => {
  const logDir = Deno.makeTempDirSync();
  const r = await cli(
    "run",
    "signal-propagation",
    "--depth",
    "4",
    "--width",
    "64",
    "--draws",
    "1",
    "--sigma-w2",
    "1.5",
    "--sigma-b2",
    "0.05",
    "--seed",
    "3",
    "--backend",
    "cpu",
    "--log-dir",
    logDir,
  );
  assertEquals(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(rows.map((x) => x.seq), rows.map((_, i) => i));
  assert(rows.every((x) => x.run === rows[0].run && x.pipeline === "signal-propagation"));
  assertEquals(rows[0].stream, "meta");
  assertEquals([rows[0].sigma_w2, rows[0].seed, rows[0].backend], [1.5, 3, "cpu"]);
  assertEquals(rows.at(-1).stream, "done");
  assertEquals(rows.at(-1).status, "ok");
  const fp = rows.filter((x) => x.stream === "fixed-point");
  assertEquals(fp.length, 1);
  assertEquals(fp[0].phase, "ordered");
  // theory and simulation for layers 0…4 on both maps
  for (const s of ["qmap", "cmap"]) {
    for (const src of ["theory", "simulation"]) {
      assertEquals(rows.filter((x) => x.stream === s && x.source === src).map((x) => x.layer), [
        0,
        1,
        2,
        3,
        4,
      ]);
    }
  }
  // the log holds exactly what stdout got
  const logged = Deno.readTextFileSync(`${logDir}/${rows[0].run}.ndjson`);
  assertEquals(logged, r.stdout);
  Deno.removeSync(logDir, { recursive: true });
});

Deno.test("run with the same seed reproduces the simulation exactly", async () => {
  const args = [
    "run",
    "signal-propagation",
    "--depth",
    "3",
    "--width",
    "32",
    "--draws",
    "1",
    "--backend",
    "cpu",
    "--log-dir",
    "none",
    "--seed",
    "9",
  ];
  const sims = async () =>
    (await cli(...args)).stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((x) =>
      x.source === "simulation"
    ).map((x) => x.q ?? x.c);
  assertEquals(await sims(), await sims());
});

Deno.test("bad input exits 2 with one line naming the flag and what is allowed", async () => {
  const cases: [string[], string][] = [
    [["run", "nope"], 'unknown pipeline "nope"; available: signal-propagation, phase-diagram'],
    [
      ["run", "signal-propagation", "--sigma-w2", "-1"],
      "--sigma-w2 must be a number in [0.01, 10], got -1",
    ],
    [
      ["run", "signal-propagation", "--sigma-w2", "abc"],
      '--sigma-w2 must be a number in [0.01, 10], got "abc"',
    ],
    [
      ["run", "signal-propagation", "--depth", "2.5"],
      "--depth must be an integer in [1, 1000], got 2.5",
    ],
    [
      ["run", "signal-propagation", "--activation", "gelu"],
      '--activation must be one of tanh, relu, erf, linear, got "gelu"',
    ],
    [
      ["run", "signal-propagation", "--colour", "red"],
      "unknown flag --colour for signal-propagation; allowed: --activation",
    ],
    [["run", "signal-propagation", "--depth"], "--depth needs a value"],
    [
      ["run", "signal-propagation", "--backend", "tpu"],
      "--backend must be one of auto, webgpu, wasm, cpu",
    ],
    [
      ["run", "phase-diagram", "--sigma-b2-min", "1", "--sigma-b2-max", "0.5"],
      "--sigma-b2-min must be below sigma_b2_max",
    ],
    [["frobnicate"], 'unknown command "frobnicate"'],
    [
      ["watch", "--threads", "0"],
      '--threads must be an integer in [1, 256] (runs computed at once), got "0"',
    ],
    [
      ["run", "signal-propagation", "--threads", "0"],
      "--threads must be an integer in [1, 256] (the float64 kernels' threads)",
    ],
    [["watch", "--threads", "257"], "--threads must be an integer in [1, 256]"],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertEquals(r.stdout, "");
    const first = r.stderr.split("\n")[0];
    assert(
      first.startsWith("error: ") && first.includes(message),
      `${args.join(" ")}: ${r.stderr}`,
    );
    assert(!r.stderr.includes("    at "), "no stack trace");
  }
});

Deno.test("a diverging simulation ends with an error row naming the layer, done failed, exit 1", async () => {
  // ReLU at σw² = 8 grows q by 4× a layer: float32 overflows near layer 64.
  const r = await cli(
    "run",
    "signal-propagation",
    "--activation",
    "relu",
    "--sigma-w2",
    "8",
    "--depth",
    "200",
    "--width",
    "16",
    "--draws",
    "1",
    "--pairs",
    "1",
    "--backend",
    "cpu",
    "--log-dir",
    "none",
  );
  assertEquals(r.code, 1);
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const err = rows.at(-2);
  assertEquals(err.stream, "error");
  assert(typeof err.layer === "number" && err.layer > 30 && err.layer < 200, JSON.stringify(err));
  assert(err.message.includes("diverged"), err.message);
  assertEquals([rows.at(-1).stream, rows.at(-1).status], ["done", "failed"]);
  const fp = rows.find((x) => x.stream === "fixed-point");
  assertEquals([fp.phase, fp.q_star, fp.xi_c], ["unbounded", null, null]); // JSON has no Infinity
  assert(
    rows.some((x) => x.source === "simulation" && x.layer === 10),
    "rows before the failure are kept",
  );
});

Deno.test("list names every pipeline with its params and streams; --json gives JSON Schema", async () => {
  const text = await cli("list");
  assertEquals(text.code, 0);
  assert(
    text.stdout.includes("signal-propagation") && text.stdout.includes("--sigma-w2") &&
      text.stdout.includes("fixed-point"),
  );
  const json = JSON.parse((await cli("list", "--json")).stdout);
  assertEquals(json.map((p: { id: string }) => p.id), [
    "signal-propagation",
    "phase-diagram",
    "great-circle",
    "neurodynamics",
    "trainability",
    "deep-linear",
    "training-time",
    "loss-landscape",
    "diffusion",
    "isometry",
    "gram-spectrum",
    "nngp",
    "singularities",
    "deep-cheap",
    "semantic-cognition",
    "critical-gain",
    "image-diffusion",
  ]);
  assertEquals(json[1].params.properties.grid.maximum, 300);
});
