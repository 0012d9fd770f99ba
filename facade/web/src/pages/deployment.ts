// One deployment: its sums, their charts and its pods, a page at a time from
// GET /api/pods?namespace=&deployment=&limit= (one request, sorted on the server, however many pods).

import { getJson, segment } from "../api";
import { aggregatePlots } from "../charts";
import { h } from "../dom";
import { href, type Route } from "../route";
import { Stats } from "../stats";
import type { AggregatePoint, DeploymentView as Deployment, Info } from "../types";
import { breadcrumbs, section, type View } from "../view";
import { aggregateStats } from "./aggregates";
import { PodList } from "./pods";
import { SeriesSection } from "./series";

export class DeploymentView implements View {
    readonly element: HTMLElement;
    private readonly stats = new Stats();
    private readonly series: SeriesSection<AggregatePoint>;
    private readonly pods: PodList;
    private readonly path: string;

    constructor(namespace: string, name: string, info: Info, route: Route) {
        this.path = `/api/namespaces/${segment(namespace)}/deployments/${segment(name)}`;
        this.series = new SeriesSection<AggregatePoint>(this.path, aggregatePlots, info, route);
        this.pods = new PodList(route, { namespace, deployment: name });
        this.element = h("div", {},
            breadcrumbs([["Namespaces", href(["namespaces"])], [namespace, href(["namespaces", namespace])]], name),
            section(`Deployment ${name}`, this.stats.element, this.series.element),
            section("Pods", this.pods.element));
    }

    async refresh(): Promise<void> {
        const [deployment] = await Promise.all([getJson<Deployment>(this.path), this.series.refresh(), this.pods.refresh()]);
        this.stats.set(aggregateStats(deployment));
    }

    update(route: Route): boolean {
        const windowChanged = this.series.update(route);
        const podsShown = this.pods.update(route);
        return !windowChanged && podsShown;
    }

    destroy(): void {
        this.series.destroy();
    }
}
