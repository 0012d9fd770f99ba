// One container of a pod: its CPU and memory against its requests and limits, and their charts
// from the pod's series (each point carries the containers of its sample).

import { getJson, segment } from "../api";
import { containerPlots } from "../charts";
import { h } from "../dom";
import { href, type Route } from "../route";
import { Stats } from "../stats";
import type { Info, PodPoint, PodView as Pod } from "../types";
import { breadcrumbs, section, type View } from "../view";
import { podPath, workloadStats } from "./pod";
import { SeriesSection } from "./series";

export class ContainerView implements View {
    readonly element: HTMLElement;
    private readonly stats = new Stats();
    private readonly missing = h("p", { class: "note" });
    private readonly series: SeriesSection<PodPoint>;

    constructor(private readonly namespace: string, private readonly pod: string, private readonly name: string, info: Info, route: Route) {
        this.series = new SeriesSection<PodPoint>(`/api/pods/${segment(pod)}`, containerPlots(name), info, route, { namespace });
        this.element = h("div", {},
            breadcrumbs([["Namespaces", href(["namespaces"])], [namespace, href(["namespaces", namespace])],
                [pod, href(["namespaces", namespace, "pods", pod])]], name),
            section(`Container ${name}`, this.missing, this.stats.element, this.series.element));
    }

    async refresh(): Promise<void> {
        const [pod] = await Promise.all([getJson<Pod>(podPath(this.namespace, this.pod)), this.series.refresh()]);
        const container = pod.containers.find(c => c.name === this.name);
        this.missing.textContent = container ? "" : `The pod's newest sample has no container ${this.name}.`;
        if (container) this.stats.set(workloadStats(container.cpu, container.memory));
    }

    update(route: Route): boolean {
        return !this.series.update(route);
    }

    destroy(): void {
        this.series.destroy();
    }
}
