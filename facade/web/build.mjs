// Builds the page into ../wwwroot (not committed; the facade's csproj runs this before it builds):
// one bundle of our TypeScript and uPlot (app.js), one stylesheet of ours and uPlot's (app.css),
// index.html, and uPlot's licence beside the code it covers.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";

const out = new URL("../wwwroot/", import.meta.url);
const uplot = JSON.parse(await readFile(new URL("node_modules/uplot/package.json", import.meta.url), "utf8"));
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
    entryPoints: { app: "src/main.ts" },
    bundle: true,
    minify: true,
    sourcemap: "linked",
    format: "esm",
    target: "es2022",
    outdir: out.pathname,
    logLevel: "warning",
    // Minifying drops uPlot's own header; say what the bundle holds and where its licence is.
    banner: { js: `/*! KubeMonitor page; bundles uPlot ${uplot.version} (${uplot.license}, licenses/uplot.txt) */` },
});
await copyFile(new URL("index.html", import.meta.url), new URL("index.html", out));
await mkdir(new URL("licenses/", out), { recursive: true });
await copyFile(new URL("node_modules/uplot/LICENSE", import.meta.url), new URL("licenses/uplot.txt", out));
