// The chart section of a detail view: the window from the URL (w=), one series request per
// refresh, and a click on a window stored back in the URL.

import { apiPath, getJson } from "../api";
import { chosenWindow, SeriesPanel, stepFor, windowChoices, type Plot } from "../charts";
import { withParams, type Route } from "../route";
import type { Info, Series } from "../types";

export class SeriesSection<P extends { timestamp: string }> {
    readonly panel: SeriesPanel<P>;
    private window: number;

    constructor(private readonly path: string, plots: Plot<P>[], private readonly info: Info, private route: Route,
        private readonly params: Record<string, string> = {}) {
        this.window = chosenWindow(route.params.get("w"), info);
        this.panel = new SeriesPanel(plots, windowChoices(info), this.window, w => withParams(this.route, { w }, true));
    }

    get element(): HTMLElement {
        return this.panel.element;
    }

    async refresh(): Promise<void> {
        const window = this.window;
        const series = await getJson<Series<P>>(apiPath(this.path, { ...this.params, window, step: stepFor(window, this.info) }));
        if (window === this.window) this.panel.show(series.points, window);
    }

    /** True when the window changed (the caller refreshes). */
    update(route: Route): boolean {
        this.route = route;
        const window = chosenWindow(route.params.get("w"), this.info);
        if (window === this.window) return false;
        this.window = window;
        this.panel.select(window);
        return true;
    }

    destroy(): void {
        this.panel.destroy();
    }
}
