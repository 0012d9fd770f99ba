// Numbers as people read them; "–" where the API has no value (null), never a made-up 0.

import type { Num } from "./types";

const dash = "–";

export function cores(value: Num): string {
    if (value === null) return dash;
    if (value === 0) return "0";
    if (value < 0.01) return `${(value * 1000).toFixed(1)}m`;
    if (value < 1) return `${Math.round(value * 1000)}m`;
    return value.toFixed(value < 10 ? 2 : 1);
}

const binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
const decimal = ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"];

/** Memory in powers of 1024, as Kubernetes quantities (Mi, Gi) are. */
export function bytes(value: Num): string {
    return scaled(value, 1024, binary);
}

/** Rates in powers of 1000, as network and disk throughput are usually read. */
export function rate(value: Num): string {
    return scaled(value, 1000, decimal);
}

function scaled(value: Num, base: number, units: string[]): string {
    if (value === null) return dash;
    let unit = 0;
    let shown = Math.abs(value);
    while (shown >= base && unit < units.length - 1) {
        shown /= base;
        unit++;
    }
    const digits = (unit === 0 && Number.isInteger(shown)) || shown >= 100 ? 0 : shown >= 10 ? 1 : 2;
    return `${value < 0 ? "-" : ""}${shown.toFixed(digits)} ${units[unit]}`;
}

export function percent(ratio: Num): string {
    return ratio === null ? dash : `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

export function count(value: Num): string {
    return value === null ? dash : value.toLocaleString("en-US");
}

/** How long ago an RFC 3339 time was, in whole seconds or minutes. */
export function age(timestamp: string, now = Date.now()): string {
    const seconds = Math.max(0, Math.round((now - Date.parse(timestamp)) / 1000));
    return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
}

export function duration(seconds: number): string {
    if (seconds % 86400 === 0) return `${seconds / 86400} d`;
    if (seconds % 3600 === 0) return `${seconds / 3600} h`;
    if (seconds % 60 === 0) return `${seconds / 60} min`;
    return `${seconds} s`;
}

/** A ratio of two values that may be missing: null unless both are there and the whole is positive. */
export function ratio(part: Num, whole: Num): Num {
    return part === null || whole === null || whole <= 0 ? null : Math.min(1, Math.max(0, part / whole));
}

export function total(a: Num, b: Num): Num {
    return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

/** A bar's colour class for a ratio: full is a warning, nearly full a caution. */
export function barLevel(share: Num): string {
    return share === null ? "none" : share >= 0.9 ? "high" : share >= 0.7 ? "mid" : "low";
}
