// The JSON answers of docs/api.md sections 3 and 6 that the page reads. Every value may be null:
// a rate needs two samples, and a collector may leave a section out.

export type Num = number | null;

export interface Info {
    source: string;
    maxWindowSeconds: number;
    defaultStepSeconds: number;
    stalenessSeconds: number;
}

export interface Disk { readBytesPerSecond: Num; writeBytesPerSecond: Num }
export interface Network { rxBytesPerSecond: Num; txBytesPerSecond: Num }

export interface NodeValues {
    cpu: { usageCores: Num; capacityCores: Num; utilization: Num };
    memory: { totalBytes: Num; availableBytes: Num; usedBytes: Num; utilization: Num };
    disk: Disk;
    network: Network;
}
export interface NodeView extends NodeValues { name: string; timestamp: string; labels: Record<string, string> | null }
export interface NodePoint extends NodeValues { timestamp: string }

export interface WorkloadCpu {
    usageCores: Num; requestCores: Num; limitCores: Num; limitUtilization: Num;
    throttledSecondsPerSecond: Num; throttledPeriodsRatio: Num;
}
export interface WorkloadMemory {
    workingSetBytes: Num; requestBytes: Num; limitBytes: Num; limitUtilization: Num; oomKills: Num; oomKillsTotal: Num;
}
export interface ContainerView { name: string; cpu: WorkloadCpu; memory: WorkloadMemory }
export interface Stall { waitingSecondsPerSecond: Num; stalledSecondsPerSecond: Num }
export interface Pressure { cpu: Stall | null; memory: Stall | null; io: Stall | null }

export interface PodValues {
    cpu: WorkloadCpu;
    memory: WorkloadMemory & { usageBytes: Num };
    disk: Disk;
    network: Network;
    pressure: Pressure | null;
    containers: ContainerView[];
}
export interface PodView extends PodValues {
    name: string; namespace: string; node: string | null; uid: string | null; deployment: string | null;
    labels: Record<string, string> | null; timestamp: string;
}
export interface PodPoint extends PodValues { timestamp: string }

/** Namespace and deployment sums over their live pods. */
export interface AggregateValues {
    cpu: { usageCores: Num; requestCores: Num; limitCores: Num };
    memory: { workingSetBytes: Num; usageBytes: Num; requestBytes: Num; limitBytes: Num };
    disk: Disk;
    network: Network;
}
export interface NamespaceView extends AggregateValues { name: string; podCount: number; pods: string[] }
export interface DeploymentView extends NamespaceView { namespace: string }
export interface AggregatePoint extends AggregateValues { timestamp: string }

export interface Series<P> { windowSeconds: number; stepSeconds: number; points: P[] }
export interface Items<T> { items: T[] }
export interface Page<T> { items: T[]; continue?: string }
