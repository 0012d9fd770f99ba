// Pods, a page at a time from GET /api/pods?limit= (never the whole list: 150,000 pods), filtered
// by namespace, node, deployment and label selector and sorted on the server (?sort=), so a click
// on a column orders every matching pod and the first page holds the top ones.

import { apiPath, ApiError, getJson } from "../api";
import { h, setText } from "../dom";
import { bytes, cores, count, rate } from "../format";
import { Pager } from "../pager";
import { href, withParams, type Route } from "../route";
import { nextSort, Table, type Direction, type ShownColumn } from "../table";
import type { Page, PodView } from "../types";
import { section, type View } from "../view";

const limits = [50, 100, 500, 1000];

export function podHref(pod: { name: string; namespace: string }): string {
    return href(["namespaces", pod.namespace, "pods", pod.name]);
}

/** A pod column, with the PodView field GET /api/pods sorts it by (?sort=). */
type PodColumn = ShownColumn<PodView> & { field: string };

export const podColumns: PodColumn[] = [
    { key: "name", field: "name", title: "Pod", cell: p => ({ text: p.name, href: podHref(p) }) },
    { key: "namespace", field: "namespace", title: "Namespace", cell: p => ({ text: p.namespace, href: href(["namespaces", p.namespace]) }) },
    { key: "node", field: "node", title: "Node", cell: p => p.node ? { text: p.node, href: href(["nodes", p.node]) } : "–" },
    { key: "deployment", field: "deployment", title: "Deployment",
        cell: p => p.deployment ? { text: p.deployment, href: href(["namespaces", p.namespace, "deployments", p.deployment]) } : "–" },
    { key: "cpu", field: "cpu.usageCores", title: "CPU", numeric: true,
        cell: p => ({ text: cores(p.cpu.usageCores), bar: p.cpu.limitUtilization,
            title: `request ${cores(p.cpu.requestCores)} · limit ${cores(p.cpu.limitCores)}` }) },
    { key: "cpuLimit", field: "cpu.limitCores", title: "CPU limit", numeric: true, cell: p => cores(p.cpu.limitCores) },
    { key: "memory", field: "memory.workingSetBytes", title: "Memory", numeric: true,
        cell: p => ({ text: bytes(p.memory.workingSetBytes), bar: p.memory.limitUtilization,
            title: `request ${bytes(p.memory.requestBytes)} · limit ${bytes(p.memory.limitBytes)}` }) },
    { key: "memoryLimit", field: "memory.limitBytes", title: "Mem limit", numeric: true, cell: p => bytes(p.memory.limitBytes) },
    { key: "diskRead", field: "disk.readBytesPerSecond", title: "Disk read", numeric: true, cell: p => rate(p.disk.readBytesPerSecond) },
    { key: "diskWrite", field: "disk.writeBytesPerSecond", title: "Disk write", numeric: true, cell: p => rate(p.disk.writeBytesPerSecond) },
    { key: "rx", field: "network.rxBytesPerSecond", title: "Net receive", numeric: true, cell: p => rate(p.network.rxBytesPerSecond) },
    { key: "tx", field: "network.txBytesPerSecond", title: "Net transmit", numeric: true, cell: p => rate(p.network.txBytesPerSecond) },
];

/** Filters that a view fixes (a namespace's, a deployment's or a node's pods) are not offered as inputs. */
export interface FixedFilter { namespace?: string; node?: string; deployment?: string }

export class PodList {
    readonly element: HTMLElement;
    private readonly table: Table<PodView>;
    private readonly pager: Pager;
    private readonly error = h("p", { class: "error", role: "alert" });
    private readonly form: HTMLFormElement;
    private pods: PodView[] = [];
    private nextToken: string | undefined;
    /** Tokens of the pages before this one, to step back (the API's tokens only go forward). */
    private readonly earlier: string[] = [];
    private asked = "";

    constructor(private route: Route, private readonly fixed: FixedFilter = {}) {
        this.table = new Table(podColumns, p => `${p.namespace}/${p.name}`, key => {
            const { sort, dir } = nextSort(podColumns, key, this.sortKey, this.direction);
            // A token continues only its own order: a new order starts at its first page.
            this.earlier.length = 0;
            withParams(this.route, { sort, dir, continue: null }, true);
        });
        this.pager = new Pager(
            () => { this.earlier.length = 0; withParams(this.route, { continue: null }); },
            () => withParams(this.route, { continue: this.earlier.pop() ?? null }),
            () => {
                this.earlier.push(this.route.params.get("continue") ?? "");
                withParams(this.route, { continue: this.nextToken ?? null });
            });
        this.form = this.filterForm();
        this.syncForm();
        this.element = h("div", { class: "pod-list" }, this.form, this.error,
            h("div", { class: "scroll" }, this.table.element), this.pager.element);
    }

    private get sortKey(): string | null { return this.route.params.get("sort"); }
    private get direction(): Direction { return this.route.params.get("dir") === "desc" ? "desc" : "asc"; }
    private get limit(): number {
        const asked = Number(this.route.params.get("limit"));
        return limits.includes(asked) ? asked : 100;
    }

    /** "-cpu.usageCores" for the URL's sort=cpu&dir=desc; null (the API's namespace and name order) without a known column. */
    private get apiSort(): string | null {
        const column = podColumns.find(c => c.key === this.sortKey);
        return column ? (this.direction === "desc" ? "-" : "") + column.field : null;
    }

    private get query(): Record<string, string | number | null> {
        const p = this.route.params;
        return {
            namespace: this.fixed.namespace ?? p.get("namespace"),
            node: this.fixed.node ?? p.get("node"),
            deployment: this.fixed.deployment ?? null,
            labelSelector: p.get("selector"),
            limit: this.limit,
            sort: this.apiSort,
            continue: p.get("continue"),
        };
    }

    async refresh(): Promise<void> {
        const path = apiPath("/api/pods", this.query);
        try {
            const page = await getJson<Page<PodView>>(path);
            if (path !== apiPath("/api/pods", this.query)) return; // the filter changed meanwhile
            this.pods = page.items;
            this.nextToken = page.continue;
            this.asked = path;
            setText(this.error, "");
            this.draw();
        } catch (e) {
            if (!(e instanceof ApiError) || e.status !== 400) throw e;
            setText(this.error, e.message); // a malformed label selector says where
            this.pods = [];
            this.nextToken = undefined;
            this.draw();
        }
    }

    /** True when the rows shown still answer the route (what changed is not theirs). */
    update(route: Route): boolean {
        this.route = route;
        this.syncForm();
        if (apiPath("/api/pods", this.query) === this.asked) {
            this.draw();
            return true;
        }
        return false;
    }

    private draw(): void {
        this.table.render(this.pods, this.sortKey, this.direction);
        const start = this.earlier.length * this.limit;
        const hasPrevious = this.route.params.has("continue");
        this.pager.show(this.pods.length ? `${count(start + 1)}–${count(start + this.pods.length)}${this.nextToken ? "" : ` of ${count(start + this.pods.length)}`}` : "no pods",
            hasPrevious, this.nextToken !== undefined);
    }

    private filterForm(): HTMLFormElement {
        const input = (name: string, label: string, placeholder: string) =>
            h("label", {}, label, h("input", { name, type: "search", placeholder, autocomplete: "off" }));
        const limitSelect = h("select", { name: "limit", "aria-label": "Pods per page" },
            ...limits.map(l => h("option", { value: String(l) }, `${l} per page`)));
        const form = h("form", { class: "filters" },
            this.fixed.namespace === undefined ? input("namespace", "Namespace", "all") : null,
            this.fixed.node === undefined ? input("node", "Node", "all") : null,
            input("selector", "Labels", "app=web,tier!=db"),
            limitSelect,
            h("button", { type: "submit" }, "Apply"));
        form.addEventListener("submit", event => {
            event.preventDefault();
            const data = new FormData(form);
            const value = (name: string) => String(data.get(name) ?? "").trim() || null;
            this.earlier.length = 0;
            withParams(this.route, {
                namespace: value("namespace"), node: value("node"), selector: value("selector"),
                limit: value("limit") === "100" ? null : value("limit"), continue: null,
            });
        });
        limitSelect.addEventListener("change", () => form.requestSubmit());
        return form;
    }

    private syncForm(): void {
        for (const name of ["namespace", "node", "selector"]) {
            const field = this.form.elements.namedItem(name);
            if (field instanceof HTMLInputElement && document.activeElement !== field) field.value = this.route.params.get(name) ?? "";
        }
        const limit = this.form.elements.namedItem("limit");
        if (limit instanceof HTMLSelectElement) limit.value = String(this.limit);
    }
}

export class PodsView implements View {
    readonly element: HTMLElement;
    private readonly list: PodList;

    constructor(route: Route) {
        this.list = new PodList(route);
        this.element = section("Pods", this.list.element);
    }

    refresh(): Promise<void> { return this.list.refresh(); }
    update(route: Route): boolean { return this.list.update(route); }
    destroy(): void {}
}
