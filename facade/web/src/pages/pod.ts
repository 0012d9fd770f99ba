// One pod: identity and labels, latest values against requests and limits, charts, and its
// containers (each a link to its own view).

import { getJson, segment } from "../api";
import { podPlots } from "../charts";
import { h } from "../dom";
import { age, bytes, cores, count, percent, rate } from "../format";
import { href, withParams, type Route } from "../route";
import { labelChips, Stats, type Stat } from "../stats";
import { nextSort, sortRows, Table, type Column, type Direction } from "../table";
import type { ContainerView, Info, PodPoint, PodView as Pod, WorkloadCpu, WorkloadMemory } from "../types";
import { breadcrumbs, section, type View } from "../view";
import { SeriesSection } from "./series";

export function podPath(namespace: string, name: string): string {
    return `/api/pods/${segment(name)}?namespace=${segment(namespace)}`;
}

/** CPU and memory figures of a pod or a container, against its requests and limits. */
export function workloadStats(cpu: WorkloadCpu, memory: WorkloadMemory): Stat[] {
    return [
        { label: "CPU", value: cores(cpu.usageCores), bar: cpu.limitUtilization, hint: "share of the CPU limit" },
        { label: "CPU request / limit", value: `${cores(cpu.requestCores)} / ${cores(cpu.limitCores)}` },
        { label: "CPU throttled", value: cpu.throttledPeriodsRatio === null ? "–" : `${percent(cpu.throttledPeriodsRatio)} of periods`,
            hint: "share of CFS periods in which the CPU limit held it back" },
        { label: "Memory (working set)", value: bytes(memory.workingSetBytes), bar: memory.limitUtilization, hint: "share of the memory limit" },
        { label: "Memory request / limit", value: `${bytes(memory.requestBytes)} / ${bytes(memory.limitBytes)}` },
        { label: "OOM kills", value: `${count(memory.oomKills)} now · ${count(memory.oomKillsTotal)} total` },
    ];
}

export class PodView implements View {
    readonly element: HTMLElement;
    private readonly stats = new Stats();
    private readonly identity = h("div", { class: "identity" });
    private readonly series: SeriesSection<PodPoint>;
    private readonly containers: Table<ContainerView>;
    private readonly columns: Column<ContainerView>[];
    private pod: Pod | null = null;

    constructor(private readonly namespace: string, private readonly name: string, info: Info, private route: Route) {
        this.series = new SeriesSection<PodPoint>(`/api/pods/${segment(name)}`, podPlots, info, route, { namespace });
        this.columns = [
            { key: "name", title: "Container", sort: c => c.name,
                cell: c => ({ text: c.name, href: href(["namespaces", namespace, "pods", name, "containers", c.name]) }) },
            { key: "cpu", title: "CPU", numeric: true, sort: c => c.cpu.usageCores, cell: c => ({ text: cores(c.cpu.usageCores), bar: c.cpu.limitUtilization }) },
            { key: "cpuRequest", title: "CPU request", numeric: true, sort: c => c.cpu.requestCores, cell: c => cores(c.cpu.requestCores) },
            { key: "cpuLimit", title: "CPU limit", numeric: true, sort: c => c.cpu.limitCores, cell: c => cores(c.cpu.limitCores) },
            { key: "throttled", title: "Throttled", numeric: true, sort: c => c.cpu.throttledPeriodsRatio, cell: c => percent(c.cpu.throttledPeriodsRatio) },
            { key: "memory", title: "Memory", numeric: true, sort: c => c.memory.workingSetBytes,
                cell: c => ({ text: bytes(c.memory.workingSetBytes), bar: c.memory.limitUtilization }) },
            { key: "memoryRequest", title: "Mem request", numeric: true, sort: c => c.memory.requestBytes, cell: c => bytes(c.memory.requestBytes) },
            { key: "memoryLimit", title: "Mem limit", numeric: true, sort: c => c.memory.limitBytes, cell: c => bytes(c.memory.limitBytes) },
            { key: "oom", title: "OOM kills", numeric: true, sort: c => c.memory.oomKillsTotal, cell: c => count(c.memory.oomKillsTotal) },
        ];
        this.containers = new Table(this.columns, c => c.name, key => {
            const { sort, dir } = nextSort(this.columns, key, this.sortKey, this.direction);
            withParams(this.route, { sort, dir }, true);
        });
        this.element = h("div", {},
            h("div", { class: "crumb-slot" }, this.crumbs(null)),
            section(`Pod ${name}`, this.identity, this.stats.element, this.series.element),
            section("Containers", this.containers.element));
    }

    private get sortKey(): string { return this.route.params.get("sort") ?? "name"; }
    private get direction(): Direction { return this.route.params.get("dir") === "desc" ? "desc" : "asc"; }

    async refresh(): Promise<void> {
        const [pod] = await Promise.all([getJson<Pod>(podPath(this.namespace, this.name)), this.series.refresh()]);
        const identityChanged = this.pod?.node !== pod.node || this.pod?.deployment !== pod.deployment || this.pod?.uid !== pod.uid
            || JSON.stringify(this.pod?.labels) !== JSON.stringify(pod.labels);
        this.pod = pod;
        if (identityChanged) {
            this.element.querySelector(".crumb-slot")!.replaceChildren(this.crumbs(pod.deployment));
            this.identity.replaceChildren(
                h("p", {}, "Node ", pod.node ? h("a", { href: href(["nodes", pod.node]) }, pod.node) : "–",
                    " · uid ", h("code", {}, pod.uid ?? "–")),
                labelChips(pod.labels));
        }
        this.stats.set([
            ...workloadStats(pod.cpu, pod.memory),
            { label: "Disk read / write", value: `${rate(pod.disk.readBytesPerSecond)} / ${rate(pod.disk.writeBytesPerSecond)}` },
            { label: "Network rx / tx", value: `${rate(pod.network.rxBytesPerSecond)} / ${rate(pod.network.txBytesPerSecond)}` },
            { label: "Pressure cpu / memory / io", value: [pod.pressure?.cpu, pod.pressure?.memory, pod.pressure?.io]
                .map(stall => percent(stall?.waitingSecondsPerSecond ?? null)).join(" / "), hint: "share of time some task waited" },
            { label: "Newest sample", value: age(pod.timestamp), hint: pod.timestamp },
        ]);
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
        const rows = this.pod?.containers ?? [];
        this.containers.render(sortRows(rows, this.columns.find(c => c.key === this.sortKey), this.direction), this.sortKey, this.direction);
    }

    private crumbs(deployment: string | null): HTMLElement {
        const parts: [string, string][] = [["Namespaces", href(["namespaces"])], [this.namespace, href(["namespaces", this.namespace])]];
        if (deployment) parts.push([deployment, href(["namespaces", this.namespace, "deployments", deployment])]);
        return breadcrumbs(parts, this.name);
    }
}
