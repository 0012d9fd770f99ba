// Pods, a page at a time from GET /api/pods?limit= (never the whole list: 150,000 pods), filtered
// by namespace, node and label selector on the server. The API pages in (namespace, name) order
// and sorts by nothing else, so a click on another column sorts the rows of the page shown.

import { apiPath, ApiError, getJson } from "../api";
import { h, setText } from "../dom";
import { bytes, cores, count, rate } from "../format";
import { Pager } from "../pager";
import { href, withParams, type Route } from "../route";
import { nextSort, sortRows, Table, type Column, type Direction } from "../table";
import type { Page, PodView } from "../types";
import { section, type View } from "../view";

const limits = [50, 100, 500, 1000];

export function podHref(pod: { name: string; namespace: string }): string {
    return href(["namespaces", pod.namespace, "pods", pod.name]);
}

export const podColumns: Column<PodView>[] = [
    { key: "name", title: "Pod", sort: p => p.name, cell: p => ({ text: p.name, href: podHref(p) }) },
    { key: "namespace", title: "Namespace", sort: p => p.namespace, cell: p => ({ text: p.namespace, href: href(["namespaces", p.namespace]) }) },
    { key: "node", title: "Node", sort: p => p.node, cell: p => p.node ? { text: p.node, href: href(["nodes", p.node]) } : "–" },
    { key: "deployment", title: "Deployment", sort: p => p.deployment,
        cell: p => p.deployment ? { text: p.deployment, href: href(["namespaces", p.namespace, "deployments", p.deployment]) } : "–" },
    { key: "cpu", title: "CPU", numeric: true, sort: p => p.cpu.usageCores,
        cell: p => ({ text: cores(p.cpu.usageCores), bar: p.cpu.limitUtilization,
            title: `request ${cores(p.cpu.requestCores)} · limit ${cores(p.cpu.limitCores)}` }) },
    { key: "cpuLimit", title: "CPU limit", numeric: true, sort: p => p.cpu.limitCores, cell: p => cores(p.cpu.limitCores) },
    { key: "memory", title: "Memory", numeric: true, sort: p => p.memory.workingSetBytes,
        cell: p => ({ text: bytes(p.memory.workingSetBytes), bar: p.memory.limitUtilization,
            title: `request ${bytes(p.memory.requestBytes)} · limit ${bytes(p.memory.limitBytes)}` }) },
    { key: "memoryLimit", title: "Mem limit", numeric: true, sort: p => p.memory.limitBytes, cell: p => bytes(p.memory.limitBytes) },
    { key: "diskRead", title: "Disk read", numeric: true, sort: p => p.disk.readBytesPerSecond, cell: p => rate(p.disk.readBytesPerSecond) },
    { key: "diskWrite", title: "Disk write", numeric: true, sort: p => p.disk.writeBytesPerSecond, cell: p => rate(p.disk.writeBytesPerSecond) },
    { key: "rx", title: "Net receive", numeric: true, sort: p => p.network.rxBytesPerSecond, cell: p => rate(p.network.rxBytesPerSecond) },
    { key: "tx", title: "Net transmit", numeric: true, sort: p => p.network.txBytesPerSecond, cell: p => rate(p.network.txBytesPerSecond) },
];

/** Filters that a view fixes (a namespace's or a node's pods) are not offered as inputs. */
export interface FixedFilter { namespace?: string; node?: string }

export class PodList {
    readonly element: HTMLElement;
    private readonly table: Table<PodView>;
    private readonly pager: Pager;
    private readonly note = h("p", { class: "note" });
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
            withParams(this.route, { sort, dir }, true);
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
        this.element = h("div", { class: "pod-list" }, this.form, this.error, this.note,
            h("div", { class: "scroll" }, this.table.element), this.pager.element);
    }

    private get sortKey(): string | null { return this.route.params.get("sort"); }
    private get direction(): Direction { return this.route.params.get("dir") === "desc" ? "desc" : "asc"; }
    private get limit(): number {
        const asked = Number(this.route.params.get("limit"));
        return limits.includes(asked) ? asked : 100;
    }

    private get query(): Record<string, string | number | null> {
        const p = this.route.params;
        return {
            namespace: this.fixed.namespace ?? p.get("namespace"),
            node: this.fixed.node ?? p.get("node"),
            labelSelector: p.get("selector"),
            limit: this.limit,
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

    /** True when the rows shown still answer the route (only the sort changed). */
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
        const column = podColumns.find(c => c.key === this.sortKey);
        this.table.render(sortRows(this.pods, column, this.direction), this.sortKey, this.direction);
        const start = this.earlier.length * this.limit;
        const hasPrevious = this.route.params.has("continue");
        this.pager.show(this.pods.length ? `${count(start + 1)}–${count(start + this.pods.length)}${this.nextToken ? "" : ` of ${count(start + this.pods.length)}`}` : "no pods",
            hasPrevious, this.nextToken !== undefined);
        const paged = hasPrevious || this.nextToken !== undefined;
        setText(this.note, column && column.key !== "name" && column.key !== "namespace" && paged
            ? "Sorted within this page: the API pages pods in namespace and name order only."
            : "");
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
