// One node: its latest values and labels, its charts, and its pods (paged, ?node=).

import { getJson, segment } from "../api";
import { nodePlots } from "../charts";
import { h } from "../dom";
import { age, bytes, cores, rate } from "../format";
import { href, type Route } from "../route";
import { labelChips, Stats } from "../stats";
import type { Info, NodePoint, NodeView as Node } from "../types";
import { breadcrumbs, section, type View } from "../view";
import { PodList } from "./pods";
import { SeriesSection } from "./series";

export class NodeView implements View {
    readonly element: HTMLElement;
    private readonly stats = new Stats();
    private readonly labels = h("div");
    private readonly series: SeriesSection<NodePoint>;
    private readonly pods: PodList;
    private readonly path: string;

    constructor(name: string, info: Info, route: Route) {
        this.path = `/api/nodes/${segment(name)}`;
        this.series = new SeriesSection<NodePoint>(this.path, nodePlots, info, route);
        this.pods = new PodList(route, { node: name });
        this.element = h("div", {},
            breadcrumbs([["Nodes", href(["nodes"])]], name),
            section(`Node ${name}`, this.stats.element, this.labels, this.series.element),
            section("Pods on this node", this.pods.element));
    }

    async refresh(): Promise<void> {
        const [node] = await Promise.all([getJson<Node>(this.path), this.series.refresh(), this.pods.refresh()]);
        this.stats.set([
            { label: "CPU", value: `${cores(node.cpu.usageCores)} of ${cores(node.cpu.capacityCores)} cores`, bar: node.cpu.utilization },
            { label: "Memory used", value: `${bytes(node.memory.usedBytes)} of ${bytes(node.memory.totalBytes)}`, bar: node.memory.utilization },
            { label: "Disk read / write", value: `${rate(node.disk.readBytesPerSecond)} / ${rate(node.disk.writeBytesPerSecond)}` },
            { label: "Network rx / tx", value: `${rate(node.network.rxBytesPerSecond)} / ${rate(node.network.txBytesPerSecond)}` },
            { label: "Newest sample", value: age(node.timestamp), hint: node.timestamp },
        ]);
        const labels = JSON.stringify(node.labels);
        if (this.labels.dataset.shown !== labels) {
            this.labels.dataset.shown = labels;
            this.labels.replaceChildren(labelChips(node.labels));
        }
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
