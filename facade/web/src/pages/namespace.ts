// One namespace: its sums, their charts, its deployments and its pods (paged).

import { getJson, segment } from "../api";
import { aggregatePlots } from "../charts";
import { h } from "../dom";
import { href, withParams, type Route } from "../route";
import { Stats } from "../stats";
import { nextSort, sortRows, Table, type Column, type Direction } from "../table";
import type { AggregatePoint, DeploymentView, Info, Items, NamespaceView as Namespace } from "../types";
import { breadcrumbs, section, type View } from "../view";
import { aggregateColumns, aggregateStats } from "./aggregates";
import { PodList } from "./pods";
import { SeriesSection } from "./series";

export class NamespaceView implements View {
    readonly element: HTMLElement;
    private readonly stats = new Stats();
    private readonly series: SeriesSection<AggregatePoint>;
    private readonly deployments: Table<DeploymentView>;
    private readonly columns: Column<DeploymentView>[];
    private readonly pods: PodList;
    private rows: DeploymentView[] = [];
    private readonly path: string;

    constructor(name: string, info: Info, private route: Route) {
        this.path = `/api/namespaces/${segment(name)}`;
        this.columns = aggregateColumns<DeploymentView>({ key: "name", title: "Deployment", sort: d => d.name,
            cell: d => ({ text: d.name, href: href(["namespaces", name, "deployments", d.name]) }) });
        this.deployments = new Table(this.columns, d => d.name, key => {
            const { sort, dir } = nextSort(this.columns, key, this.route.params.get("dsort"), this.direction);
            withParams(this.route, { dsort: sort, ddir: dir }, true);
        });
        this.series = new SeriesSection<AggregatePoint>(this.path, aggregatePlots, info, route);
        this.pods = new PodList(route, { namespace: name });
        this.element = h("div", {},
            breadcrumbs([["Namespaces", href(["namespaces"])]], name),
            section(`Namespace ${name}`, this.stats.element, this.series.element),
            section("Deployments", this.deployments.element),
            section("Pods", this.pods.element));
    }

    private get direction(): Direction { return this.route.params.get("ddir") === "desc" ? "desc" : "asc"; }

    async refresh(): Promise<void> {
        const [namespace, deployments] = await Promise.all([
            getJson<Namespace>(this.path),
            getJson<Items<DeploymentView>>(`${this.path}/deployments`),
            this.series.refresh(),
            this.pods.refresh(),
        ]);
        this.stats.set(aggregateStats(namespace));
        this.rows = deployments.items;
        this.drawDeployments();
    }

    update(route: Route): boolean {
        this.route = route;
        const windowChanged = this.series.update(route);
        const podsShown = this.pods.update(route);
        this.drawDeployments();
        return !windowChanged && podsShown;
    }

    destroy(): void {
        this.series.destroy();
    }

    private drawDeployments(): void {
        const key = this.route.params.get("dsort") ?? "name";
        this.deployments.render(sortRows(this.rows, this.columns.find(c => c.key === key), this.direction), key, this.direction);
    }
}
