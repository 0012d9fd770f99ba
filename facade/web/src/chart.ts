// One time-series chart (uPlot): a refresh gives it new data with setData, so the canvas is
// redrawn in place. The theme's colours come from CSS variables; a change of the system theme
// rebuilds the chart with the data it has.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";
import { bytes, cores, rate } from "./format";
import type { Num } from "./types";

export type Unit = "cores" | "bytes" | "rate";

export interface Line { label: string; color: string; dashed?: boolean }

const formats: Record<Unit, (value: Num) => string> = { cores, bytes, rate };

const themeQuery = matchMedia("(prefers-color-scheme: dark)");

/** A tick's time: hours and minutes, with the day when the window spans days. */
function clock(seconds: number, span: number): string {
    const options: Intl.DateTimeFormatOptions = span > 2 * 86400
        ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false }
        : { hour: "2-digit", minute: "2-digit", hour12: false };
    return new Date(seconds * 1000).toLocaleString("en-GB", options);
}

export class Chart {
    readonly element: HTMLElement;
    private readonly canvasHolder = h("div", { class: "plot" });
    private plot: uPlot | null = null;
    private data: uPlot.AlignedData = [[]];
    private range: [number, number] = [0, 1];
    private readonly resize = new ResizeObserver(() => this.fit());
    private readonly rebuild = () => this.create();

    constructor(title: string, private readonly unit: Unit, private readonly lines: Line[]) {
        this.element = h("figure", { class: "chart", "data-title": title }, h("figcaption", {}, title), this.canvasHolder);
        this.resize.observe(this.canvasHolder);
        themeQuery.addEventListener("change", this.rebuild);
    }

    /** Times in seconds since the epoch, one array of values per line; the x axis spans [from, to]. */
    update(times: number[], values: Num[][], from: number, to: number): void {
        this.data = [times, ...values] as uPlot.AlignedData;
        this.range = [from, to];
        this.element.dataset.points = String(times.length);
        this.element.dataset.last = JSON.stringify(times.length ? [times[times.length - 1], ...values.map(v => v[v.length - 1])] : []);
        if (this.plot) this.plot.setData(this.data);
        else this.create();
    }

    destroy(): void {
        this.resize.disconnect();
        themeQuery.removeEventListener("change", this.rebuild);
        this.plot?.destroy();
        this.plot = null;
    }

    private create(): void {
        this.plot?.destroy();
        const width = this.canvasHolder.clientWidth;
        if (width === 0) return; // not laid out yet: the ResizeObserver calls fit()
        const style = getComputedStyle(document.documentElement);
        const color = (name: string) => style.getPropertyValue(name).trim();
        const format = formats[this.unit];
        const axis = { stroke: color("--muted"), grid: { stroke: color("--grid"), width: 1 }, ticks: { stroke: color("--grid"), width: 1 } };
        this.plot = new uPlot({
            width,
            height: 170,
            scales: {
                x: { time: true, range: () => this.range },
                y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
            },
            axes: [
                { ...axis, space: 80, values: (u, splits) => splits.map(t => clock(t, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0))) },
                { ...axis, size: 72, values: (_u, splits) => splits.map(v => format(v)) },
            ],
            series: [
                {},
                ...this.lines.map(line => ({
                    label: line.label,
                    stroke: color(line.color),
                    width: line.dashed ? 1 : 1.5,
                    ...(line.dashed ? { dash: [6, 4] } : {}),
                    value: (_u: uPlot, value: number | null) => format(value),
                })),
            ],
            legend: { live: true },
            cursor: { drag: { x: false, y: false } },
        }, this.data, this.canvasHolder);
    }

    private fit(): void {
        const width = this.canvasHolder.clientWidth;
        if (!this.plot) {
            if (this.data[0].length || this.range[1] > 1) this.create();
            return;
        }
        if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: 170 });
    }
}
