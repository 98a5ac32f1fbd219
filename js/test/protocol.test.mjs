// The foundation every widget's view stands on (src/lib/protocol.ts, src/lib/view.ts), in the
// built bundle: requests answered by id, structured errors, events, binary values as buffers,
// and a view that leaves no listener behind. Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel } from "./fake-model.mjs";
import { installDom, loadWidgets } from "./harness.mjs";

const window = installDom();
const { Client, RequestError, defineWidget, pack, unpack } = await loadWidgets();

describe("protocol client", () => {
  test("a request carries an id and resolves with the reply of the same id", async () => {
    const model = new FakeModel();
    const client = new Client(model);
    const first = client.request("rows", { start: 0, stop: 50 });
    const second = client.request("rows", { start: 50, stop: 100 });
    const [a, b] = model.requests("rows");
    assert.notEqual(a.id, b.id);
    assert.deepEqual(a.body, { start: 0, stop: 50 });
    model.reply(b, { n: 2 });
    model.reply(a, { n: 1 });
    assert.deepEqual(await first, { n: 1 });
    assert.deepEqual(await second, { n: 2 });
  });

  test("an error reply rejects with the kernel's words and type", async () => {
    const model = new FakeModel();
    const client = new Client(model);
    const pending = client.request("detail", { model: "x" });
    model.fail(model.requests("detail")[0], "no model 'x'", "UnknownModelError");
    await assert.rejects(pending, (err) => {
      assert.ok(err instanceof RequestError);
      assert.equal(err.message, "no model 'x'");
      assert.equal(err.type, "UnknownModelError");
      return true;
    });
  });

  test("binary values travel as buffers and come back in place", async () => {
    const model = new FakeModel();
    const client = new Client(model);
    client.notify("upload", { name: "a.png", chunk: new Uint8Array([1, 2, 3]) });
    const [sent] = model.requests("upload");
    assert.equal(sent.id, null);
    assert.deepEqual(sent.paths, [["chunk"]]);
    assert.equal(sent.body.chunk, null);
    assert.deepEqual([...sent.buffers[0]], [1, 2, 3]);
    const pending = client.request("echo");
    model.reply(model.requests("echo")[0], { table: new Uint8Array([9, 8]), n: 1 });
    const body = await pending;
    assert.ok(body.table instanceof DataView);
    assert.deepEqual([body.table.getUint8(0), body.table.getUint8(1)], [9, 8]);
    const round = pack({ a: [new Uint8Array([5])], b: 2 });
    assert.deepEqual(round.paths, [["a", 0]]);
    const views = round.buffers.map((v) => new DataView(v.buffer));
    assert.equal(unpack(round.body, round.paths, views).a[0].getUint8(0), 5);
  });

  test("events reach their listeners; other protocols and other views' replies are ignored", () => {
    const model = new FakeModel();
    const client = new Client(model);
    const seen = [];
    const off = client.on("piece", (body) => seen.push(body.text));
    model.event("piece", { text: "Hel" });
    model.custom({ type: "piece", text: "old protocol" });
    model.custom({ hw: 1, kind: "rows", id: 99, body: {} });
    off();
    model.event("piece", { text: "lo" });
    assert.deepEqual(seen, ["Hel"]);
  });
});

describe("view", () => {
  test("a view says it is drawn, and removing it leaves no listener behind", () => {
    const model = new FakeModel({ status: "ready" });
    const seen = [];
    const widget = defineWidget("toy", (view) => {
      view.root.textContent = view.get("status");
      view.on("status", () => seen.push(view.get("status")));
      view.listen(document, "keydown", () => seen.push("key"));
    });
    const el = document.createElement("div");
    const remove = widget.render({ model, el });
    assert.equal(el.querySelector(".hubwidgets-toy")?.textContent, "ready");
    assert.equal(model.requests("view").length, 1);
    model.set("status", "busy");
    document.dispatchEvent(new window.KeyboardEvent("keydown"));
    remove();
    model.set("status", "later");
    document.dispatchEvent(new window.KeyboardEvent("keydown"));
    assert.deepEqual(seen, ["busy", "key"]);
    assert.equal(model.handlers.get("msg:custom")?.size ?? 0, 0);
  });
});
