// Bundles the widgets' front-end into ../hubwidgets/widgets/static/ (one ESM file and one CSS
// file per widget). Run by `npm run build`, which hatch-jupyter-builder calls while building the
// wheel; `npm run watch` rebuilds on change (pair it with ANYWIDGET_HMR=1 in the kernel).
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @type {esbuild.BuildOptions} */
const options = {
  entryPoints: [
    here("src/search.ts"),
    here("src/search.css"),
    here("src/compare.ts"),
    here("src/compare.css"),
    here("src/benchmark.ts"),
    here("src/benchmark.css"),
    here("src/playground.ts"),
    here("src/playground.css"),
  ],
  outdir: here("../hubwidgets/widgets/static"),
  bundle: true,
  format: "esm",
  // JupyterLab 4 and VS Code ship evergreen browsers
  target: ["es2022", "chrome111", "firefox113", "safari16.4"],
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "eof",
  logLevel: "info",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
