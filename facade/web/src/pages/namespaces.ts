// Every namespace with the sums of its live pods; the first step of the drill-down.

import { getJson } from "../api";
import { href, withParams, type Route } from "../route";
import { nextSort, sortRows, Table, type Column, type Direction } from "../table";
import type { Items, NamespaceView } from "../types";
import { section, type View } from "../view";
import { aggregateColumns } from "./aggregates";

const columns: Column<NamespaceView>[] = aggregateColumns<NamespaceView>(
    { key: "name", title: "Namespace", sort: n => n.name, cell: n => ({ text: n.name, href: href(["namespaces", n.name]) }) });

export class NamespacesView implements View {
    readonly element: HTMLElement;
    private readonly table: Table<NamespaceView>;
    private namespaces: NamespaceView[] = [];

    constructor(private route: Route) {
        this.table = new Table(columns, n => n.name, key => {
            const { sort, dir } = nextSort(columns, key, this.sortKey, this.direction);
            withParams(this.route, { sort, dir }, true);
        });
        this.element = section("Namespaces", this.table.element);
    }

    private get sortKey(): string { return this.route.params.get("sort") ?? "name"; }
    private get direction(): Direction { return this.route.params.get("dir") === "desc" ? "desc" : "asc"; }

    async refresh(): Promise<void> {
        this.namespaces = (await getJson<Items<NamespaceView>>("/api/namespaces")).items;
        this.draw();
    }

    update(route: Route): boolean {
        this.route = route;
        this.draw();
        return true;
    }

    destroy(): void {}

    private draw(): void {
        this.table.render(sortRows(this.namespaces, columns.find(c => c.key === this.sortKey), this.direction), this.sortKey, this.direction);
    }
}
