// Every node: CPU, memory, disk and network, utilization as bars. The API lists nodes whole; the
// page filters, sorts and pages them here, drawing one page of rows (5,000 nodes stay fast).

import { getJson } from "../api";
import { h, setText } from "../dom";
import { age, bytes, cores, count, rate, ratio } from "../format";
import { Pager } from "../pager";
import { href, withParams, type Route } from "../route";
import { nextSort, sortRows, Table, type Column, type Direction } from "../table";
import type { Items, NodeView } from "../types";
import { section, type View } from "../view";

const pageSize = 100;

export const nodeColumns: Column<NodeView>[] = [
    { key: "name", title: "Node", cell: n => ({ text: n.name, href: href(["nodes", n.name]) }), sort: n => n.name },
    { key: "cpu", title: "CPU", numeric: true, sort: n => n.cpu.utilization,
        cell: n => ({ text: `${cores(n.cpu.usageCores)} / ${cores(n.cpu.capacityCores)}`, bar: n.cpu.utilization }) },
    { key: "memory", title: "Memory", numeric: true, sort: n => n.memory.utilization,
        cell: n => ({ text: `${bytes(n.memory.usedBytes)} / ${bytes(n.memory.totalBytes)}`, bar: n.memory.utilization }) },
    { key: "diskRead", title: "Disk read", numeric: true, sort: n => n.disk.readBytesPerSecond, cell: n => rate(n.disk.readBytesPerSecond) },
    { key: "diskWrite", title: "Disk write", numeric: true, sort: n => n.disk.writeBytesPerSecond, cell: n => rate(n.disk.writeBytesPerSecond) },
    { key: "rx", title: "Net receive", numeric: true, sort: n => n.network.rxBytesPerSecond, cell: n => rate(n.network.rxBytesPerSecond) },
    { key: "tx", title: "Net transmit", numeric: true, sort: n => n.network.txBytesPerSecond, cell: n => rate(n.network.txBytesPerSecond) },
    { key: "age", title: "Sample", numeric: true, sort: n => -Date.parse(n.timestamp), cell: n => ({ text: age(n.timestamp), title: n.timestamp }) },
];

export class NodesView implements View {
    readonly element: HTMLElement;
    private nodes: NodeView[] = [];
    private readonly table: Table<NodeView>;
    private readonly pager: Pager;
    private readonly filter = h("input", { type: "search", name: "q", placeholder: "Filter by name", "aria-label": "Filter nodes by name" });
    private readonly summary = h("p", { class: "summary" });

    constructor(private route: Route) {
        this.table = new Table(nodeColumns, n => n.name, key => {
            const { sort, dir } = nextSort(nodeColumns, key, this.sortKey, this.direction);
            withParams(this.route, { sort, dir, page: null }, true);
        });
        this.pager = new Pager(
            () => withParams(this.route, { page: null }, true),
            () => withParams(this.route, { page: Math.max(1, this.page - 1) }, true),
            () => withParams(this.route, { page: this.page + 1 }, true));
        this.filter.value = route.params.get("q") ?? "";
        this.filter.addEventListener("input", () => withParams(this.route, { q: this.filter.value, page: null }, true));
        this.element = section("Nodes", h("div", { class: "toolbar" }, this.filter, this.summary), this.table.element, this.pager.element);
    }

    private get sortKey(): string { return this.route.params.get("sort") ?? "name"; }
    private get direction(): Direction { return this.route.params.get("dir") === "desc" ? "desc" : "asc"; }
    private get page(): number { return Math.max(1, Number(this.route.params.get("page")) || 1); }

    async refresh(): Promise<void> {
        this.nodes = (await getJson<Items<NodeView>>("/api/nodes")).items;
        this.draw();
    }

    update(route: Route): boolean {
        this.route = route;
        if (document.activeElement !== this.filter) this.filter.value = route.params.get("q") ?? "";
        this.draw();
        return true;
    }

    destroy(): void {}

    private draw(): void {
        const query = (this.route.params.get("q") ?? "").trim().toLowerCase();
        const matching = query ? this.nodes.filter(n => n.name.includes(query)) : this.nodes;
        const sorted = sortRows(matching, nodeColumns.find(c => c.key === this.sortKey), this.direction);
        const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
        const page = Math.min(this.page, pages);
        const shown = sorted.slice((page - 1) * pageSize, page * pageSize);
        this.table.render(shown, this.sortKey, this.direction);
        const first = (page - 1) * pageSize + 1;
        this.pager.show(`${count(first)}–${count(first + shown.length - 1)} of ${count(sorted.length)}`, page > 1, page < pages);
        this.pager.element.hidden = pages === 1;
        setText(this.summary, totals(this.nodes));
    }
}

/** "12 nodes · CPU 3.1 of 48 cores (6%) · memory 20 GiB of 192 GiB". */
function totals(nodes: NodeView[]): string {
    let used = 0, capacity = 0, memory = 0, total = 0;
    for (const n of nodes) {
        used += n.cpu.usageCores ?? 0;
        capacity += n.cpu.capacityCores ?? 0;
        memory += n.memory.usedBytes ?? 0;
        total += n.memory.totalBytes ?? 0;
    }
    const share = ratio(used, capacity);
    return `${count(nodes.length)} nodes · CPU ${cores(used)} of ${cores(capacity)} cores` +
        (share === null ? "" : ` (${Math.round(share * 100)}%)`) + ` · memory ${bytes(memory)} of ${bytes(total)}`;
}
