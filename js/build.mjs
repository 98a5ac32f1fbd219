// Bundles every widget's front-end into ../hubwidgets/widgets/static/hubwidgets.js: one ES
// module holding all the widgets and their styles (inlined, injected once per page), which the
// kernel sends once per page (hubwidgets/widgets/_bundle.py). Run by `npm run build`, which
// hatch-jupyter-builder calls while building the wheel; `npm run watch` rebuilds on change
// (pair it with ANYWIDGET_HMR=1 in the kernel).
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
// JupyterLab 4 and VS Code ship evergreen browsers
const target = ["es2022", "chrome111", "firefox113", "safari16.4"];

async function css() {
  const out = await esbuild.build({
    entryPoints: [here("src/index.css")],
    bundle: true,
    minify: !watch,
    write: false,
    target,
    logLevel: "warning",
  });
  return out.outputFiles[0].text;
}

/** @returns {Promise<esbuild.BuildOptions>} */
async function options() {
  return {
    entryPoints: [here("src/index.ts")],
    outfile: here("../hubwidgets/widgets/static/hubwidgets.js"),
    bundle: true,
    format: "esm",
    target,
    minify: !watch,
    sourcemap: watch ? "inline" : false,
    legalComments: "eof",
    logLevel: "info",
    define: { __HW_CSS__: JSON.stringify(await css()) },
  };
}

if (watch) {
  // the styles are inlined: a CSS change rebuilds the context with the new sheet
  let context = await esbuild.context(await options());
  await context.watch();
  const { watch: watchFiles } = await import("node:fs");
  watchFiles(here("src"), { recursive: true }, async (_event, name) => {
    if (!String(name).endsWith(".css")) return;
    await context.dispose();
    context = await esbuild.context(await options());
    await context.watch();
  });
} else {
  await esbuild.build(await options());
}
