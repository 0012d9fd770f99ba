// One deployment: its sums, their charts and its pods. GET /api/pods filters by namespace, node
// and labels but not by deployment, so the pods are read one by one from the names the
// deployment lists (single-pod reads are light for the facade), the first 50 of them.

import { ApiError, getJson, segment } from "../api";
import { aggregatePlots } from "../charts";
import { h, setText } from "../dom";
import { count } from "../format";
import { href, withParams, type Route } from "../route";
import { Stats } from "../stats";
import { nextSort, sortRows, Table, type Direction } from "../table";
import type { AggregatePoint, DeploymentView as Deployment, Info, PodView } from "../types";
import { breadcrumbs, section, type View } from "../view";
import { aggregateStats } from "./aggregates";
import { podColumns } from "./pods";
import { SeriesSection } from "./series";

const shownPods = 50;

export class DeploymentView implements View {
    readonly element: HTMLElement;
    private readonly stats = new Stats();
    private readonly series: SeriesSection<AggregatePoint>;
    private readonly table: Table<PodView>;
    private readonly note = h("p", { class: "note" });
    private readonly path: string;
    private pods: PodView[] = [];

    constructor(private readonly namespace: string, name: string, info: Info, private route: Route) {
        this.path = `/api/namespaces/${segment(namespace)}/deployments/${segment(name)}`;
        this.series = new SeriesSection<AggregatePoint>(this.path, aggregatePlots, info, route);
        this.table = new Table(podColumns, p => p.name, key => {
            const { sort, dir } = nextSort(podColumns, key, this.sortKey, this.direction);
            withParams(this.route, { sort, dir }, true);
        });
        this.element = h("div", {},
            breadcrumbs([["Namespaces", href(["namespaces"])], [namespace, href(["namespaces", namespace])]], name),
            section(`Deployment ${name}`, this.stats.element, this.series.element),
            section("Pods", this.note, this.table.element));
    }

    private get sortKey(): string { return this.route.params.get("sort") ?? "name"; }
    private get direction(): Direction { return this.route.params.get("dir") === "desc" ? "desc" : "asc"; }

    async refresh(): Promise<void> {
        const [deployment] = await Promise.all([getJson<Deployment>(this.path), this.series.refresh()]);
        this.stats.set(aggregateStats(deployment));
        const names = [...deployment.pods].sort().slice(0, shownPods);
        const pods = await Promise.all(names.map(name =>
            getJson<PodView>(`/api/pods/${segment(name)}?namespace=${segment(this.namespace)}`).catch(e => {
                if (e instanceof ApiError && e.status === 404) return null; // gone since the deployment was read
                throw e;
            })));
        this.pods = pods.filter((p): p is PodView => p !== null);
        setText(this.note, deployment.podCount > shownPods
            ? `The first ${shownPods} of ${count(deployment.podCount)} pods by name; all are in the namespace's pod list.` : "");
        this.draw();
    }

    update(route: Route): boolean {
        this.route = route;
        const windowChanged = this.series.update(route);
        this.draw();
        return !windowChanged;
    }

    destroy(): void {
        this.series.destroy();
    }

    private draw(): void {
        this.table.render(sortRows(this.pods, podColumns.find(c => c.key === this.sortKey), this.direction), this.sortKey, this.direction);
    }
}
