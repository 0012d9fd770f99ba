// Latest values of one entity as label / value pairs, a bar where the value is a share of a
// whole; updated in place on refresh.

import { h, setText } from "./dom";
import { barLevel } from "./format";

export interface Stat { label: string; value: string; bar?: number | null; hint?: string }

export class Stats {
    readonly element = h("dl", { class: "stats" });
    private readonly values = new Map<string, { dd: HTMLElement; text: HTMLElement; fill: HTMLElement | null }>();

    set(stats: Stat[]): void {
        for (const stat of stats) {
            let entry = this.values.get(stat.label);
            if (!entry) {
                const text = h("span", { class: "value" });
                const fill = stat.bar === undefined ? null : h("span");
                const dd = h("dd", {}, text, fill ? h("span", { class: "bar" }, fill) : null);
                this.element.append(h("div", {}, h("dt", {}, stat.label), dd));
                entry = { dd, text, fill };
                this.values.set(stat.label, entry);
            }
            setText(entry.text, stat.value);
            if (stat.hint !== undefined) entry.dd.title = stat.hint;
            if (entry.fill && stat.bar !== undefined) {
                entry.fill.style.width = `${Math.round((stat.bar ?? 0) * 100)}%`;
                entry.fill.parentElement!.className = `bar ${barLevel(stat.bar)}`;
            }
        }
    }
}

/** Key=value chips of a label set. */
export function labelChips(labels: Record<string, string> | null): HTMLElement {
    const entries = Object.entries(labels ?? {});
    return h("ul", { class: "labels" }, ...(entries.length
        ? entries.map(([key, value]) => h("li", {}, value === "" ? key : `${key}=${value}`))
        : [h("li", { class: "none" }, "no labels")]));
}
