/**
 * Talks, recorded runs, replays, ingested rows and CSV export, through the HTTP
 * contract (in-process: app.request), and `replay -` through a real process.
 */
import { assert, assertEquals } from "./assert.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { parseTalk, TalkError } from "../src/talk/talk.ts";
import { loadTalk } from "../src/cli/talk_file.ts";
import { parseIngest } from "../src/server/ingest.ts";
import { toCsv } from "../src/server/export.ts";
import type { Row } from "../src/runtime/run.ts";
import { serveProcess } from "./helpers/serve_process.ts";
import { testApp, type TestAppOptions } from "./helpers/server.ts";

/** Two quick slides: the phase diagram on a 6×6 grid, signal propagation on a small net. */
const TALK = JSON.stringify({
  title: "test talk",
  slides: [
    { title: "phases", pipeline: "phase-diagram", params: { grid: 6 } },
    {
      title: "signals",
      pipeline: "signal-propagation",
      params: { depth: 5, width: 50, draws: 1, pairs: 4 },
      panels: ["qmap"],
    },
  ],
});

/** The app in-process on cpu, with short batches so tests see rows quickly. */
const appWith = (opts: TestAppOptions = {}) => testApp({ backend: "cpu", batchMs: 5, ...opts });

const auth = { authorization: "Bearer sesame", "content-type": "application/json" };

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("parseTalk() checks every slide against the registry and names the slide at fault", () => {
  const t = parseTalk(TALK, "test", PIPELINES);
  assertEquals(t.slides.length, 2);
  assertEquals(t.slides[0].params.grid, 6);
  assertEquals(t.slides[0].params.seed, 1); // resolved: defaults and seed filled
  assertEquals(t.slides[1].panels, ["qmap"]);
  assertEquals(t.slides[0].panels, ["phase"]); // all of the pipeline's when not given
  const bad = (text: string, want: RegExp) => {
    try {
      parseTalk(text, "x", PIPELINES);
    } catch (e) {
      assert(e instanceof TalkError && want.test(e.message), `${e}`);
      return;
    }
    throw new Error(`accepted ${text}`);
  };
  bad("{", /not valid JSON/);
  bad('{"slides": []}', /non-empty array/);
  bad(
    '{"slides": [{"title": "a", "pipeline": "nope"}]}',
    /slide 1 \(a\): unknown pipeline "nope"; available: signal-propagation/,
  );
  bad(
    '{"slides": [{"title": "a", "pipeline": "phase-diagram", "params": {"grid": 0}}]}',
    /slide 1 \(a\): grid must be an integer/,
  );
  bad(
    '{"slides": [{"title": "a", "pipeline": "phase-diagram", "panels": ["qmap"]}]}',
    /unknown panel qmap of phase-diagram; its panels: phase/,
  );
});

Deno.test("the default talk loads, walks the seed talks' order and shows every pipeline", async () => {
  const t = await loadTalk("data/talks/default.json", PIPELINES);
  const order = [...new Set(t.slides.map((s) => s.pipeline))];
  assertEquals(order, PIPELINES.map((p) => p.id).filter((id) => order.includes(id)));
  assertEquals(new Set(order).size, PIPELINES.length, "every pipeline has a slide");
});

Deno.test({
  name:
    "talk: the presenter's slide changes need the token, start the slide's run once, and are announced on the hub",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { app, hub, runs, talk } = appWith({ token: "sesame", talk: TALK });
    const slides: Row[] = [];
    const unsub = hub.subscribe({ streams: new Set(["slide"]) }, null, (m) => {
      for (const l of m.data.split("\n")) slides.push(JSON.parse(l));
    });
    const put = (body: unknown, headers: Record<string, string> = auth) =>
      app.request("/api/talk/slide", { method: "PUT", headers, body: JSON.stringify(body) });
    assertEquals((await put({ slide: 1 }, {})).status, 401);
    assertEquals((await put({ slide: 1 }, { authorization: "Bearer wrong" })).status, 403);
    const out = await put({ slide: 3 });
    assertEquals(out.status, 400);
    assertEquals((await out.json()).param, "slide");
    assertEquals((await put({ slide: 0, params: { grid: -1 } })).status, 400);

    const first = await (await put({ slide: 0 })).json();
    const run0 = first.runs[0];
    assert(run0, "slide 0 has a run");
    await until(() => runs.get(run0)?.status === "ok");
    await (await put({ slide: 1 })).json();
    const back = await (await put({ slide: 0 })).json();
    assertEquals(back.runs[0], run0, "going back reuses the finished run");
    assertEquals(runs.list().length, 2, "one run per slide reached");
    assertEquals(slides.map((s) => s.slide), [0, 1, 0]);
    assertEquals(slides.at(-1)!.slide_run, run0);
    // the presenter changes a param: the slide runs anew with it
    const changed = await (await put({ slide: 0, params: { grid: 7 } })).json();
    assert(changed.runs[0] !== run0);
    assertEquals(changed.talk.slides[0].params.grid, 7);
    // a pipeline edit re-runs the slide on screen
    const before = talk!.state().runs[0];
    assert(await talk!.pipelineChanged("phase-diagram"));
    assert(talk!.state().runs[0] !== before);
    assertEquals(slides.at(-1)!.reason, "phase-diagram changed");
    assertEquals(await talk!.pipelineChanged("diffusion"), false);
    const state = await (await app.request("/api/talk")).json();
    assertEquals(state.slide, 0);
    unsub();
    runs.stopAll();
  },
});

Deno.test({
  name:
    "recorded runs: a new server lists them (interrupted when the log has no done row), plays them offline, replays them as new runs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const first = appWith({ talk: TALK });
    await first.talk!.go(0);
    const run = first.talk!.state().runs[0]!;
    await until(() => first.runs.get(run)?.status === "ok");
    // a run whose server died: its log has meta and rows but no done
    const dead = "20990101T000000000-dead00";
    const lines = (await Deno.readTextFile(`${first.logDir}/${run}.ndjson`)).split("\n");
    await Deno.writeTextFile(
      `${first.logDir}/${dead}.ndjson`,
      lines.slice(0, 5).join("\n").replaceAll(run, dead) + '\n{"run":"torn',
    );

    const second = appWith({ talk: TALK, offline: true, logDir: first.logDir });
    assertEquals(await second.runs.loadRecorded(), 2);
    const listed = (await (await second.app.request("/api/runs")).json()).runs;
    assertEquals(listed.map((r: { status: string }) => r.status), ["ok", "interrupted"]);
    assertEquals(listed[0].params.grid, 6);

    // offline: slide 0 plays the recording (no compute); slide 1 was never rehearsed
    await second.talk!.go(0);
    const played = second.talk!.state().runs[0]!;
    assert(played !== run);
    await until(() => second.runs.get(played)?.status === "ok");
    const original = (await Deno.readTextFile(`${first.logDir}/${run}.ndjson`)).trim().split("\n");
    const replayed = (await (await second.app.request(`/api/runs/${played}/events.ndjson`)).text())
      .trim().split("\n");
    assertEquals(replayed, original.map((l) => l.replaceAll(run, played)));
    await second.talk!.go(1);
    assertEquals(second.talk!.state().runs[1], null);

    // POST /api/runs/:run/replay: a new run with the recording's rows
    const res = await second.app.request(`/api/runs/${run}/replay`, {
      method: "POST",
      body: JSON.stringify({ speed: 50 }),
    });
    assertEquals(res.status, 201);
    const { run: again } = await res.json();
    await until(() => second.runs.get(again)?.status === "ok");
    assertEquals(second.runs.get(again)!.rows, original.length);
    // a replay of that replay plays the same recording, and its log is readable
    const res2 = await second.app.request(`/api/runs/${again}/replay`, { method: "POST" });
    const { run: third } = await res2.json();
    assertEquals(second.runs.get(third)!.replay_of, run);
    const csv = await (await second.app.request(`/api/runs/${third}/rows.csv?stream=cell,"x`))
      .text();
    assertEquals(csv.trim().split("\n").length, 1 + 36, "header and the 6 × 6 cells");
    assertEquals(
      (await second.app.request(`/api/runs/${run}/replay`, {
        method: "POST",
        body: '{"speed": 0}',
      }))
        .status,
      400,
    );
    assertEquals(
      (await second.app.request("/api/runs/nope/replay", { method: "POST" })).status,
      404,
    );
    first.runs.stopAll();
    second.runs.stopAll();
  },
});

Deno.test({
  name:
    "offline, a slide plays only a recording of all its params: one left at its default does not take another slide's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const two = JSON.stringify({
      title: "two grids",
      slides: [
        { title: "six", pipeline: "phase-diagram", params: { grid: 6 } },
        { title: "default", pipeline: "phase-diagram", params: {} },
      ],
    });
    const first = appWith({ talk: two });
    await first.talk!.go(0);
    const run = first.talk!.state().runs[0]!;
    await until(() => first.runs.get(run)?.status === "ok");
    const second = appWith({ talk: two, offline: true, logDir: first.logDir });
    assertEquals(await second.runs.loadRecorded(), 1);
    // the default grid was never rehearsed: the 6 × 6 recording is not it
    await second.talk!.go(1);
    assertEquals(second.talk!.state().runs[1], null);
    await second.talk!.go(0);
    const played = second.talk!.state().runs[0]!;
    assertEquals(second.runs.get(played)?.replay_of, run);
    first.runs.stopAll();
    second.runs.stopAll();
  },
});

Deno.test("parseIngest() accepts flat rows and refuses the batch at the first bad line, naming it", () => {
  const ok = parseIngest(
    '{"stream":"loss","step":1,"loss":0.5,"run":"ignored"}\n\n{"stream":"done"}\n',
  );
  assertEquals(ok, [
    { stream: "loss", fields: { step: 1, loss: 0.5 } },
    { stream: "done", fields: {} },
  ]);
  const refuse = (text: string, want: RegExp) => {
    try {
      parseIngest(text);
    } catch (e) {
      assert(want.test(String(e)), String(e));
      return;
    }
    throw new Error(`accepted ${text}`);
  };
  refuse('{"stream":"loss","x":1}\n{"x":2}', /line 2: "stream" must name/);
  refuse('{"stream":"meta"}', /not meta or error/);
  refuse('{"stream":"loss","x":{"nested":1}}', /field "x" must be/);
  refuse('{"stream":"loss","x":1e999}', /field "x" must be a finite number/);
  refuse("[1,2]", /must be a JSON object/);
  refuse("", /no rows/);
});

Deno.test({
  name:
    "POST /api/runs/:run/rows: another tool streams into a run (token needed, bad rows 400, oversized 413, ended or foreign runs 409)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { app, hub, runs, logDir } = appWith({ token: "sesame" });
    const got: Row[] = [];
    hub.subscribe({ runs: new Set(["py-1"]) }, null, (m) => {
      for (const l of m.data.split("\n")) got.push(JSON.parse(l));
    });
    const post = (run: string, body: string, headers: Record<string, string> = auth, q = "") =>
      app.request(`/api/runs/${run}/rows${q}`, { method: "POST", headers, body });
    const rows = (a: number, b: number) =>
      Array.from(
        { length: b - a },
        (_, i) => JSON.stringify({ stream: "loss", step: a + i, loss: 1 / (a + i + 1) }),
      )
        .join("\n");
    assertEquals((await post("py-1", rows(0, 2), {})).status, 401);
    assertEquals((await post("py-1", rows(0, 2), { authorization: "Bearer x" })).status, 403);
    assertEquals((await post("../etc", rows(0, 2))).status, 404); // not a route at all
    assertEquals((await post("py-1", rows(0, 2), auth, "?pipeline=Bad Name")).status, 400);
    const r1 = await post("py-1", rows(0, 3), auth, "?pipeline=pytorch");
    assertEquals(r1.status, 202);
    const bad = await post("py-1", rows(3, 4) + "\n{oops");
    assertEquals(bad.status, 400);
    assertEquals((await bad.json()).error, "line 2: not JSON: {oops");
    assertEquals((await post("py-1", "x".repeat(1024 * 1024 + 10))).status, 413);
    await post("py-1", rows(3, 5) + '\n{"stream":"acc","step":4,"acc":0.9}\n{"stream":"done"}');
    assertEquals((await post("py-1", rows(5, 6))).status, 409);
    await until(() => got.some((r) => r.stream === "done"));
    // what viewers got: meta (announcing loss), 5 loss rows in order, meta again (acc), done
    assertEquals(got.filter((r) => r.stream === "loss").map((r) => r.step), [0, 1, 2, 3, 4]);
    assertEquals(got.filter((r) => r.stream === "meta").map((r) => r.streams), [
      "loss",
      "loss,acc",
    ]);
    assertEquals(got.map((r) => r.seq).sort((a, b) => a - b), got.map((_, i) => i));
    assertEquals(runs.get("py-1")!.status, "ok");
    assertEquals(runs.get("py-1")!.pipeline, "pytorch");
    // logged like any run, and exportable
    const logged = (await Deno.readTextFile(`${logDir}/py-1.ndjson`)).trim().split("\n");
    assertEquals(logged.length, got.length);
    const csv = await (await app.request("/api/runs/py-1/rows.csv?stream=loss")).text();
    assertEquals(csv.split("\n")[0], "run,pipeline,stream,seq,step,loss");
    assertEquals(csv.trim().split("\n").length, 6);
    // a computed run cannot be posted into
    const live = runs.start(PIPELINES.find((p) => p.id === "phase-diagram")!, {
      grid: 4,
      activation: "tanh",
      sigma_w2_min: 0.5,
      sigma_w2_max: 4,
      sigma_b2_min: 0,
      sigma_b2_max: 0.3,
      seed: 1,
    });
    assertEquals((await post(live.run, rows(0, 1))).status, 409);
    runs.stopAll();
  },
});

Deno.test("toCsv() writes one column per field met, blanks where absent, quotes per RFC 4180", () => {
  const rows = [
    { run: "r", pipeline: "p", stream: "a", seq: 0, x: 1, label: 'say "hi", ok' },
    { run: "r", pipeline: "p", stream: "b", seq: 1, y: [1, 2] },
  ] as unknown as Row[];
  assertEquals(
    toCsv(rows),
    'run,pipeline,stream,seq,x,label,y\nr,p,a,0,1,"say ""hi"", ok",\nr,p,b,1,,,"[1,2]"\n',
  );
});

Deno.test({
  name: "`replay -` serves rows piped from `run` live: the run appears with all its rows",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const main = new URL("../main.ts", import.meta.url).pathname;
    const logDir = Deno.makeTempDirSync();
    const producer = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        main,
        "run",
        "phase-diagram",
        "--grid",
        "8",
        "--log-dir",
        "none",
        "--backend",
        "cpu",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const viewer = await serveProcess(
      ["replay", "-", "--port", "0", "--log-dir", logDir],
      /http:\/\/[\d.]+:\d+\//,
      "piped",
    );
    const piping = producer.stdout.pipeTo(viewer.child.stdin);
    try {
      const base = viewer.banner.match(/http:\/\/[\d.]+:\d+\//)![0];
      await piping;
      let runs: { rows: number; status: string; pipeline: string }[] = [];
      for (let i = 0; i < 200 && !(runs[0]?.status === "ok"); i++) {
        await new Promise((r) => setTimeout(r, 50));
        runs = (await (await fetch(`${base}api/runs`)).json()).runs;
      }
      assertEquals(runs.length, 1);
      assertEquals(runs[0].pipeline, "phase-diagram");
      assertEquals(runs[0].status, "ok");
      // meta + 64 cells + critical line rows + done, all of them
      assert(runs[0].rows >= 66, `${runs[0].rows} rows`);
    } finally {
      await viewer.stop("SIGTERM");
      await producer.status;
      Deno.removeSync(logDir, { recursive: true });
    }
  },
});
