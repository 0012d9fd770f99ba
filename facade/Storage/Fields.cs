namespace KubeMonitor.Facade.Storage;

// Column layouts of the EntitySeries of each entity kind: the raw values as pushed, counters
// and gauges alike (rates are derived when read). NaN in a column means "not in this sample".

internal static class NodeFields
{
    public const int CpuSecondsTotal = 0;
    public const int CpuCapacityCores = 1;
    public const int MemoryTotalBytes = 2;
    public const int MemoryAvailableBytes = 3;
    public const int MemoryUsedBytes = 4;
    public const int DiskReadBytesTotal = 5;
    public const int DiskWriteBytesTotal = 6;
    public const int NetworkRxBytesTotal = 7;
    public const int NetworkTxBytesTotal = 8;
    public const int Count = 9;
}

internal static class PodFields
{
    public const int CpuSecondsTotal = 0;
    public const int MemoryUsageBytes = 1;
    public const int MemoryWorkingSetBytes = 2;
    public const int DiskReadBytesTotal = 3;
    public const int DiskWriteBytesTotal = 4;
    public const int NetworkRxBytesTotal = 5;
    public const int NetworkTxBytesTotal = 6;
    public const int Count = 7;
}

internal static class ContainerFields
{
    public const int CpuSecondsTotal = 0;
    public const int MemoryWorkingSetBytes = 1;
    public const int Count = 2;
}
