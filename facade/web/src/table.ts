// A table that a refresh updates in place: rows are keyed, a cell is rewritten only when its
// content changed, and rows move rather than being rebuilt, so nothing flashes and a hovered or
// selected row stays as it was.

import { h } from "./dom";
import { barLevel } from "./format";

/** A cell: text, optionally a link, and a bar for a ratio in [0, 1] (null: no bar value). */
export interface Cell { text: string; href?: string; bar?: number | null; title?: string }

/** A column as a table shows it. */
export interface ShownColumn<T> {
    /** Its name in the URL (sort=cpu). */
    key: string;
    title: string;
    cell: (row: T) => Cell | string;
    numeric?: boolean;
}

/** A column of a list the page sorts itself (the API sorts pods). */
export interface Column<T> extends ShownColumn<T> {
    /** What it sorts by; nulls sort last whichever the direction. */
    sort: (row: T) => number | string | null;
}

export type Direction = "asc" | "desc";

interface RowState { tr: HTMLTableRowElement; shown: string[] }

export class Table<T> {
    readonly element: HTMLTableElement;
    private readonly body = h("tbody");
    private readonly headers = new Map<string, HTMLTableCellElement>();
    private readonly rows = new Map<string, RowState>();

    constructor(
        private readonly columns: ShownColumn<T>[],
        private readonly rowKey: (row: T) => string,
        onSort: (key: string) => void,
    ) {
        const headRow = h("tr");
        for (const column of columns) {
            const button = h("button", { type: "button", "data-sort": column.key }, column.title);
            button.addEventListener("click", () => onSort(column.key));
            const th = h("th", { scope: "col", class: column.numeric ? "num" : "" }, button);
            this.headers.set(column.key, th);
            headRow.append(th);
        }
        this.element = h("table", { class: "grid" }, h("thead", {}, headRow), this.body);
    }

    render(rows: T[], sortKey: string | null, direction: Direction): void {
        for (const [key, th] of this.headers) {
            th.setAttribute("aria-sort", key === sortKey ? (direction === "asc" ? "ascending" : "descending") : "none");
        }
        const seen = new Set<string>();
        let previous: HTMLTableRowElement | null = null;
        for (const row of rows) {
            const key = this.rowKey(row);
            seen.add(key);
            const state = this.rows.get(key) ?? this.createRow(key);
            this.updateRow(state, row);
            const expected: ChildNode | null = previous ? previous.nextSibling : this.body.firstChild;
            if (expected !== state.tr) this.body.insertBefore(state.tr, expected);
            previous = state.tr;
        }
        for (const [key, state] of this.rows) {
            if (!seen.has(key)) {
                state.tr.remove();
                this.rows.delete(key);
            }
        }
    }

    private createRow(key: string): RowState {
        const tr = h("tr", { "data-key": key });
        for (const column of this.columns) tr.append(h("td", { class: column.numeric ? "num" : "" }));
        const state = { tr, shown: this.columns.map(() => "") };
        this.rows.set(key, state);
        return state;
    }

    private updateRow(state: RowState, row: T): void {
        this.columns.forEach((column, index) => {
            const value = column.cell(row);
            const cell = typeof value === "string" ? { text: value } : value;
            const shown = JSON.stringify(cell);
            if (state.shown[index] === shown) return;
            state.shown[index] = shown;
            fillCell(state.tr.cells[index]!, cell);
        });
    }
}

function fillCell(td: HTMLTableCellElement, cell: Cell): void {
    const text: Node = cell.href ? h("a", { href: cell.href }, cell.text) : document.createTextNode(cell.text);
    if (cell.title) td.title = cell.title;
    if (cell.bar === undefined) {
        td.replaceChildren(text);
        return;
    }
    const fill = h("span");
    fill.style.width = `${Math.round((cell.bar ?? 0) * 100)}%`;
    td.replaceChildren(h("span", { class: "value" }, text), h("span", { class: `bar ${barLevel(cell.bar)}` }, fill));
}

/** Sorted copy of rows by a column; nulls last in both directions, names in natural order. */
export function sortRows<T>(rows: T[], column: Column<T> | undefined, direction: Direction): T[] {
    if (!column) return rows;
    const sign = direction === "asc" ? 1 : -1;
    const collator = new Intl.Collator("en", { numeric: true });
    return rows
        .map(row => ({ row, value: column.sort(row) }))
        .sort((a, b) => {
            if (a.value === null || b.value === null) return a.value === b.value ? 0 : a.value === null ? 1 : -1;
            if (typeof a.value === "number" && typeof b.value === "number") return sign * (a.value - b.value);
            return sign * collator.compare(String(a.value), String(b.value));
        })
        .map(entry => entry.row);
}

/** Sort key and direction from the URL: a click on the sorted column flips it, another column starts descending for numbers. */
export function nextSort<T>(columns: ShownColumn<T>[], key: string, current: string | null, direction: Direction): { sort: string; dir: Direction } {
    if (key === current) return { sort: key, dir: direction === "asc" ? "desc" : "asc" };
    return { sort: key, dir: columns.find(c => c.key === key)?.numeric ? "desc" : "asc" };
}
