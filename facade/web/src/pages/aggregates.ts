// Columns and figures of a sum over pods: a namespace or a deployment.

import { bytes, cores, count, rate, ratio, total } from "../format";
import type { Stat } from "../stats";
import type { Column } from "../table";
import type { AggregateValues, NamespaceView } from "../types";

export function aggregateColumns<T extends NamespaceView>(first: Column<T>): Column<T>[] {
    return [
        first,
        { key: "pods", title: "Pods", numeric: true, sort: a => a.podCount, cell: a => count(a.podCount) },
        { key: "cpu", title: "CPU", numeric: true, sort: a => a.cpu.usageCores,
            cell: a => ({ text: cores(a.cpu.usageCores), bar: ratio(a.cpu.usageCores, a.cpu.limitCores),
                title: `request ${cores(a.cpu.requestCores)} · limit ${cores(a.cpu.limitCores)}` }) },
        { key: "cpuRequest", title: "CPU request", numeric: true, sort: a => a.cpu.requestCores, cell: a => cores(a.cpu.requestCores) },
        { key: "memory", title: "Memory", numeric: true, sort: a => a.memory.workingSetBytes,
            cell: a => ({ text: bytes(a.memory.workingSetBytes), bar: ratio(a.memory.workingSetBytes, a.memory.limitBytes),
                title: `request ${bytes(a.memory.requestBytes)} · limit ${bytes(a.memory.limitBytes)}` }) },
        { key: "memoryLimit", title: "Mem limit", numeric: true, sort: a => a.memory.limitBytes, cell: a => bytes(a.memory.limitBytes) },
        { key: "disk", title: "Disk r+w", numeric: true, sort: a => total(a.disk.readBytesPerSecond, a.disk.writeBytesPerSecond),
            cell: a => ({ text: rate(total(a.disk.readBytesPerSecond, a.disk.writeBytesPerSecond)),
                title: `read ${rate(a.disk.readBytesPerSecond)} · write ${rate(a.disk.writeBytesPerSecond)}` }) },
        { key: "network", title: "Net rx+tx", numeric: true, sort: a => total(a.network.rxBytesPerSecond, a.network.txBytesPerSecond),
            cell: a => ({ text: rate(total(a.network.rxBytesPerSecond, a.network.txBytesPerSecond)),
                title: `receive ${rate(a.network.rxBytesPerSecond)} · transmit ${rate(a.network.txBytesPerSecond)}` }) },
    ];
}

/** The latest sums as figures; the bars are shares of the limits where every pod has one. */
export function aggregateStats(a: AggregateValues & { podCount: number }): Stat[] {
    return [
        { label: "Pods", value: count(a.podCount) },
        { label: "CPU", value: cores(a.cpu.usageCores), bar: ratio(a.cpu.usageCores, a.cpu.limitCores) },
        { label: "CPU request / limit", value: `${cores(a.cpu.requestCores)} / ${cores(a.cpu.limitCores)}` },
        { label: "Memory (working set)", value: bytes(a.memory.workingSetBytes), bar: ratio(a.memory.workingSetBytes, a.memory.limitBytes) },
        { label: "Memory request / limit", value: `${bytes(a.memory.requestBytes)} / ${bytes(a.memory.limitBytes)}` },
        { label: "Disk read / write", value: `${rate(a.disk.readBytesPerSecond)} / ${rate(a.disk.writeBytesPerSecond)}` },
        { label: "Network rx / tx", value: `${rate(a.network.rxBytesPerSecond)} / ${rate(a.network.txBytesPerSecond)}` },
    ];
}
