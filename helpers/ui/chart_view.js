// The explorers' chart widget (helpers.ui.chart_view.ChartView), an anywidget front end.
//
// `spec` is a Vega-Lite specification: a new one is compiled and drawn from scratch. `data`
// holds what a slider move changes inside the current specification, new rows for its named
// datasets and a new title: the drawn view keeps its compiled dataflow and its SVG elements,
// swaps the rows, sets two title signals and runs again, which is what makes a move cheap.
//
// Vega, Vega-Lite and vega-embed come from one shared widget model (helpers.ui.chart_view.VegaLibrary),
// whose module vl-convert bundles once per machine (about 900 kB) and the page loads once, however
// many charts it shows: its module resolves the promise below with `vegaEmbed`. This file has no
// imports and stays small, since every chart widget carries its own copy.

function deferred() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  promise.resolve = resolve;
  return promise;
}
globalThis.__j2VegaEmbed ??= deferred();

const TITLE = "j2_title";
const SUBTITLE = "j2_subtitle";

function titleParts(title) {
  if (title == null) return {};
  if (typeof title === "string" || Array.isArray(title)) return { text: title };
  return title;
}

// vega-embed's patch: the compiled Vega specification's title reads its text and subtitle
// from two signals, which a move can set.
function titleSignals(vg) {
  if (vg.title == null) return vg;
  const title = typeof vg.title === "object" && !Array.isArray(vg.title) ? vg.title : { text: vg.title };
  vg.signals = vg.signals ?? [];
  vg.signals.push({ name: TITLE, value: title.text ?? "" });
  title.text = { signal: TITLE };
  if (title.subtitle != null) {
    vg.signals.push({ name: SUBTITLE, value: title.subtitle });
    title.subtitle = { signal: SUBTITLE };
  }
  vg.title = title;
  return vg;
}

// The latest move's timing, for the benchmark (benchmarks/run.py): when its data arrived and
// when it was drawn. Only the latest of each mark is kept.
function mark(name) {
  performance.clearMarks(name);
  performance.mark(name);
}

function showError(el, error) {
  const box = document.createElement("div");
  box.style.color = "#D55E00";
  box.textContent = `The chart could not be drawn: ${error.message}`;
  el.replaceChildren(box);
}

async function render({ model, el }) {
  let api = null;
  let queue = Promise.resolve();
  // Changes are applied one after another, in the order they arrived. After an error the
  // next change draws the chart afresh.
  const enqueue = (task) => {
    queue = queue.then(task).catch((error) => {
      api?.finalize();
      api = null;
      showError(el, error);
    });
    return queue;
  };

  async function update() {
    const data = model.get("data");
    if (data == null) return;
    if (api == null) return embed();
    const view = api.view;
    for (const [name, rows] of Object.entries(data.datasets ?? {})) {
      view.change(name, view.changeset().remove(() => true).insert(structuredClone(rows)));
    }
    if ("title" in data) {
      const parts = titleParts(data.title);
      view.signal(TITLE, parts.text ?? "");
      if (parts.subtitle != null) view.signal(SUBTITLE, parts.subtitle);
    }
    // Lay the chart out again (new rows can widen axis labels or a legend) and redraw every
    // mark, as a new drawing would: touching the padding signal does both. Vega's in-place
    // redraw alone would leave the title's and axes' aria-labels describing the old chart.
    view.signal("padding", view.signal("padding"), { force: true });
    await view.runAsync();
  }

  async function embed() {
    api?.finalize();
    api = null;
    const spec = model.get("spec");
    if (spec == null) {
      el.replaceChildren();
      return;
    }
    const options = { ...(model.get("embed_options") ?? {}), mode: "vega-lite", patch: titleSignals };
    const vegaEmbed = await globalThis.__j2VegaEmbed;
    api = await vegaEmbed(el, structuredClone(spec), options);
    await update(); // a view drawn after some moves starts from the latest data
  }

  model.on("change:spec", () => enqueue(embed));
  model.on("change:embed_options", () => enqueue(embed));
  model.on("change:data", () => {
    if (model.get("data") == null) return; // a new specification follows; embed() draws it
    mark("j2-data");
    enqueue(update).then(() => mark("j2-drawn"));
  });
  await enqueue(embed);
  return () => api?.finalize();
}

export default { render };
