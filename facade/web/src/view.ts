// What main.ts asks of every view.

import { h, link } from "./dom";
import type { Route } from "./route";
import type { Info } from "./types";

export interface View {
    readonly element: HTMLElement;
    /** Reads the API and updates what is shown in place; called on start and every interval. */
    refresh(): Promise<void>;
    /**
     * The same view with other parameters (sort, filter, page, window): true when what it shows
     * still answers them (redrawn in place), false when it needs a refresh first.
     */
    update(route: Route): boolean;
    destroy(): void;
}

export interface ViewContext { info: Info; route: Route }

/** "Namespaces › shop › web": every part but the last is a link. */
export function breadcrumbs(parts: [string, string][], last: string): HTMLElement {
    const items = parts.map(([text, target]) => h("li", {}, link(text, target)));
    return h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("ol", {}, ...items, h("li", { "aria-current": "page" }, last)));
}

export function section(title: string, ...children: (Node | null)[]): HTMLElement {
    return h("section", { class: "block" }, h("h2", {}, title), ...children);
}
