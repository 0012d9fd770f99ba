// The page at the facade's "/" (docs/api.md section 9): picks the view the URL names, refreshes
// it every interval (the facade's default step, the exporters' push interval by default) while
// the tab is visible, and says when the numbers were read or why they could not be.

import "./style.css";
import { getJson } from "./api";
import { h, setText } from "./dom";
import { duration } from "./format";
import { ContainerView } from "./pages/container";
import { DeploymentView } from "./pages/deployment";
import { NamespaceView } from "./pages/namespace";
import { NamespacesView } from "./pages/namespaces";
import { NodeView } from "./pages/node";
import { NodesView } from "./pages/nodes";
import { PodView } from "./pages/pod";
import { PodsView } from "./pages/pods";
import { currentRoute, href, sameView, type Route } from "./route";
import type { Info } from "./types";
import type { View } from "./view";

const status = h("span", { class: "status", role: "status" });
const error = h("p", { class: "error banner", role: "alert", hidden: "" });
const main = h("main");
const tabs = (["nodes", "pods", "namespaces"] as const).map(name =>
    h("a", { href: href([name]), "data-tab": name }, name[0]!.toUpperCase() + name.slice(1)));

let view: View | null = null;
let route: Route = currentRoute();
let timer: number | undefined;
let running: Promise<void> | null = null;

function viewFor(r: Route, info: Info): View {
    const [first, a, b, c, d, e] = r.path;
    if (first === "nodes" && a) return new NodeView(a, info, r);
    if (first === "pods") return new PodsView(r);
    if (first === "namespaces" && a && b === "deployments" && c) return new DeploymentView(a, c, info, r);
    if (first === "namespaces" && a && b === "pods" && c && d === "containers" && e) return new ContainerView(a, c, e, info, r);
    if (first === "namespaces" && a && b === "pods" && c) return new PodView(a, c, info, r);
    if (first === "namespaces" && a) return new NamespaceView(a, info, r);
    if (first === "namespaces") return new NamespacesView(r);
    return new NodesView(r);
}

/** One refresh at a time; a call while one runs waits for it rather than starting another. */
function refresh(interval: number): Promise<void> {
    if (running) return running;
    window.clearTimeout(timer);
    const current = view;
    running = (current?.refresh() ?? Promise.resolve())
        .then(() => {
            if (current !== view) return;
            error.hidden = true;
            setText(status, `updated ${new Date().toLocaleTimeString()} · every ${duration(interval)}`);
        })
        .catch((e: unknown) => {
            if (current !== view) return;
            error.hidden = false;
            setText(error, `Could not refresh: ${e instanceof Error ? e.message : String(e)}. The numbers shown are from the last refresh that worked.`);
        })
        .finally(() => {
            running = null;
            if (!document.hidden) timer = window.setTimeout(() => void refresh(interval), interval * 1000);
        });
    return running;
}

function show(info: Info): void {
    const next = currentRoute();
    if (view && sameView(next, route)) {
        route = next;
        if (!view.update(next)) void (running ?? Promise.resolve()).then(() => refresh(info.defaultStepSeconds));
        return;
    }
    route = next;
    view?.destroy();
    view = viewFor(next, info);
    for (const tab of tabs) tab.classList.toggle("active", tab.dataset.tab === next.path[0]);
    main.replaceChildren(view.element);
    void (running ?? Promise.resolve()).then(() => refresh(info.defaultStepSeconds));
}

async function start(): Promise<void> {
    document.body.append(
        h("header", {}, h("a", { class: "brand", href: href(["nodes"]) }, "KubeMonitor"), h("nav", { class: "tabs" }, ...tabs), status),
        error, main);
    const info = await getJson<Info>("/api/info");
    document.title = `KubeMonitor · ${info.source === "prometheus" ? "Prometheus" : "embedded store"}`;
    window.addEventListener("hashchange", () => show(info));
    document.addEventListener("visibilitychange", () => { if (!document.hidden) void refresh(info.defaultStepSeconds); });
    show(info);
}

void start().catch((e: unknown) => {
    error.hidden = false;
    setText(error, `The facade's API did not answer: ${e instanceof Error ? e.message : String(e)}`);
});
