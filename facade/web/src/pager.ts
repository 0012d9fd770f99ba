// Previous / next under a table, with where the rows shown lie in the whole.

import { h, setText } from "./dom";

export class Pager {
    readonly element: HTMLElement;
    private readonly first = h("button", { type: "button", "data-page": "first" }, "« First");
    private readonly previous = h("button", { type: "button", "data-page": "previous" }, "‹ Previous");
    private readonly next = h("button", { type: "button", "data-page": "next" }, "Next ›");
    private readonly label = h("span", { class: "page-label" });

    constructor(onFirst: () => void, onPrevious: () => void, onNext: () => void) {
        this.first.addEventListener("click", onFirst);
        this.previous.addEventListener("click", onPrevious);
        this.next.addEventListener("click", onNext);
        this.element = h("nav", { class: "pager", "aria-label": "Pages" }, this.first, this.previous, this.label, this.next);
    }

    show(label: string, hasPrevious: boolean, hasNext: boolean): void {
        setText(this.label, label);
        this.first.disabled = !hasPrevious;
        this.previous.disabled = !hasPrevious;
        this.next.disabled = !hasNext;
    }
}
