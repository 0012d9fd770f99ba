// The charts of one entity over a window (5 min, 1 h and the longest the source answers), drawn
// from one series request: CPU against requests and limits (a node: its capacity), memory
// against limits, disk and network.

import { Chart, type Line, type Unit } from "./chart";
import { h } from "./dom";
import { duration } from "./format";
import type { AggregatePoint, Info, NodePoint, Num, PodPoint, WorkloadCpu, WorkloadMemory } from "./types";

export interface Plot<P> { title: string; unit: Unit; lines: (Line & { value: (point: P) => Num })[] }

/** At most this many steps per series: a week at 5 s would be 120,960 points for nothing a screen can show. */
const maxPoints = 720;

export function windowChoices(info: Info): number[] {
    const wanted = [300, 3600, info.maxWindowSeconds].filter(w => w <= info.maxWindowSeconds);
    return [...new Set(wanted.length ? wanted : [info.maxWindowSeconds])].sort((a, b) => a - b);
}

export function chosenWindow(param: string | null, info: Info): number {
    const choices = windowChoices(info);
    const asked = Number(param);
    return choices.includes(asked) ? asked : choices[0]!;
}

export function stepFor(window: number, info: Info): number {
    return Math.min(window, Math.max(info.defaultStepSeconds, Math.ceil(window / maxPoints)));
}

export class SeriesPanel<P extends { timestamp: string }> {
    readonly element: HTMLElement;
    private readonly charts: Chart[];
    private readonly status = h("span", { class: "status" });
    private readonly buttons: HTMLButtonElement[];

    constructor(private readonly plots: Plot<P>[], choices: number[], current: number, onWindow: (window: number) => void) {
        this.buttons = choices.map(choice => {
            const longest = choice === choices[choices.length - 1];
            const button = h("button", { type: "button", "data-window": String(choice) },
                longest ? `${duration(choice)} (longest)` : duration(choice));
            button.addEventListener("click", () => onWindow(choice));
            return button;
        });
        this.select(current);
        this.charts = plots.map(plot => new Chart(plot.title, plot.unit, plot.lines));
        this.element = h("section", { class: "series" },
            h("div", { class: "window-picker", role: "group", "aria-label": "Window" }, ...this.buttons, this.status),
            h("div", { class: "charts" }, ...this.charts.map(c => c.element)));
    }

    select(window: number): void {
        for (const button of this.buttons) button.setAttribute("aria-pressed", String(button.dataset.window === String(window)));
    }

    show(points: P[], windowSeconds: number): void {
        const times = points.map(p => Date.parse(p.timestamp) / 1000);
        const now = Date.now() / 1000;
        this.plots.forEach((plot, index) => {
            this.charts[index]!.update(times, plot.lines.map(line => points.map(line.value)), now - windowSeconds, now);
        });
        this.status.textContent = points.length ? "" : "no samples in this window";
    }

    destroy(): void {
        for (const chart of this.charts) chart.destroy();
    }
}

const usage = { color: "--line-1" };
const request = { color: "--line-request", dashed: true };
const limit = { color: "--line-limit", dashed: true };
const second = { color: "--line-2" };

function diskAndNetwork<P extends { disk: NodePoint["disk"]; network: NodePoint["network"] }>(): Plot<P>[] {
    return [
        { title: "Disk", unit: "rate", lines: [
            { label: "read", ...usage, value: p => p.disk.readBytesPerSecond },
            { label: "write", ...second, value: p => p.disk.writeBytesPerSecond }] },
        { title: "Network", unit: "rate", lines: [
            { label: "receive", ...usage, value: p => p.network.rxBytesPerSecond },
            { label: "transmit", ...second, value: p => p.network.txBytesPerSecond }] },
    ];
}

export const nodePlots: Plot<NodePoint>[] = [
    { title: "CPU (cores)", unit: "cores", lines: [
        { label: "usage", ...usage, value: p => p.cpu.usageCores },
        { label: "capacity", ...limit, value: p => p.cpu.capacityCores }] },
    { title: "Memory", unit: "bytes", lines: [
        { label: "used", ...usage, value: p => p.memory.usedBytes },
        { label: "total", ...limit, value: p => p.memory.totalBytes }] },
    ...diskAndNetwork<NodePoint>(),
];

/** CPU and memory of anything with requests and limits: a pod, a container, a sum over pods. */
function workloadPlots<P>(cpu: (p: P) => Pick<WorkloadCpu, "usageCores" | "requestCores" | "limitCores"> | undefined,
    memory: (p: P) => Pick<WorkloadMemory, "workingSetBytes" | "requestBytes" | "limitBytes"> | undefined): Plot<P>[] {
    return [
        { title: "CPU (cores)", unit: "cores", lines: [
            { label: "usage", ...usage, value: p => cpu(p)?.usageCores ?? null },
            { label: "request", ...request, value: p => cpu(p)?.requestCores ?? null },
            { label: "limit", ...limit, value: p => cpu(p)?.limitCores ?? null }] },
        { title: "Memory (working set)", unit: "bytes", lines: [
            { label: "working set", ...usage, value: p => memory(p)?.workingSetBytes ?? null },
            { label: "request", ...request, value: p => memory(p)?.requestBytes ?? null },
            { label: "limit", ...limit, value: p => memory(p)?.limitBytes ?? null }] },
    ];
}

export const podPlots: Plot<PodPoint>[] = [...workloadPlots<PodPoint>(p => p.cpu, p => p.memory), ...diskAndNetwork<PodPoint>()];

export const aggregatePlots: Plot<AggregatePoint>[] = [
    ...workloadPlots<AggregatePoint>(p => p.cpu, p => p.memory), ...diskAndNetwork<AggregatePoint>(),
];

/** A container's lines come from its pod's series: each point carries the containers of that sample. */
export function containerPlots(name: string): Plot<PodPoint>[] {
    const of = (p: PodPoint) => p.containers.find(c => c.name === name);
    return workloadPlots<PodPoint>(p => of(p)?.cpu, p => of(p)?.memory);
}
