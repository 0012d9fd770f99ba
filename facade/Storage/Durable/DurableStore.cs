using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// The embedded store kept on disk (<c>Facade:DataDirectory</c>), as Prometheus keeps its head
/// block: every accepted push goes to the write-ahead log before the store, and before its 202;
/// checkpoints of the whole window let the log be cut behind them (closed chunks are written once,
/// to chunk files, and named by later checkpoints); a start loads the newest
/// checkpoint, replays the log after it, and only then is ready and takes pushes.
/// </summary>
/// <remarks>
/// One lock orders log appends and store writes alike, so the log replays in the order the store
/// took its samples, and a checkpoint's cut of the log falls between two pushes. The fsync is
/// outside the lock: pushes that wait for the disk share one fsync.
/// </remarks>
internal sealed class DurableStore(
    InMemoryMetricsStore memory, StoreReadiness readiness, IOptions<FacadeOptions> options, TimeProvider clock, IDataDirectoryMetrics metrics, ILogger<DurableStore> logger)
    : ISampleStore, IHostedService, IDisposable
{
    private readonly FacadeOptions _options = options.Value;
    private readonly Lock _commit = new();
    private readonly SemaphoreSlim _checkpointing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private WriteAheadLog? _log;
    private ChunkFiles? _chunkFiles;
    private Task _loading = Task.CompletedTask;
    private ITimer? _checkpointTimer;
    private ITimer? _syncTimer;
    // The last write failure logged, so a full disk is one log line, not one per push.
    private string? _writeFailure;
    // Samples logged since the last cut (under _commit), and whether a checkpoint was asked for by their count.
    private long _samplesSinceCut;
    private int _checkpointAsked;

    private string DataDirectory => _options.DataDirectory!;

    public long SeriesCount => memory.SeriesCount;

    public long BytesHeld() => memory.BytesHeld();

    public StoreOutcome Store(IngestBatch batch)
    {
        if (!readiness.IsReady) return StoreOutcome.Unavailable($"The facade is loading its window from {DataDirectory}; nothing of this push was stored, send it again.");
        long position;
        StoreOutcome outcome;
        WriteAheadLog log;
        lock (_commit)
        {
            if (_log is null) return StoreOutcome.Unavailable("The facade is stopping; nothing of this push was stored.");
            log = _log;
            try
            {
                position = log.Append(RecordKind.Batch, writer => BatchCodec.Write(batch, writer));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Unwritable("cannot be written", e);
            }
            WriteRecovered();
            outcome = memory.Store(batch);
            _samplesSinceCut += batch.Pods.Count + (batch.Node is null ? 0 : 1);
            if (_samplesSinceCut >= _options.CheckpointLogSamples) AskForCheckpoint();
        }
        if (_options.WalSync == WalSyncPolicy.Always)
        {
            try
            {
                log.Sync(position);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // In memory already: a retry is a duplicate, so nothing is stored twice.
                return Unwritable("cannot be synced to disk", e);
            }
        }
        return outcome;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.DataDirectory is null) return Task.CompletedTask;
        readiness.NotReady($"Loading the stored window from {DataDirectory}.");
        _loading = Task.Run(Load, CancellationToken.None);
        return Task.CompletedTask;
    }

    private void Load()
    {
        var watch = Stopwatch.StartNew();
        long records = 0, tornTails = 0;
        try
        {
            var strings = new StringPool();
            var checkpoint = Checkpoint.Load(DataDirectory, memory, strings);
            if (checkpoint.Problem is not null) logger.LogWarning("Checkpoint {Path} {Problem}.", checkpoint.Path, checkpoint.Problem);
            _chunkFiles = new ChunkFiles(DataDirectory);
            _chunkFiles.Loaded(checkpoint.ChunkFiles);
            var replayed = LogReplay.Run(WriteAheadLog.SegmentsIn(DataDirectory), checkpoint.FirstSegment, memory, strings);
            foreach (var problem in replayed.Problems) logger.LogWarning("Write-ahead log: {Problem}.", problem);
            records = replayed.Records;
            tornTails = replayed.TornSegments;
            lock (_commit) _log = new WriteAheadLog(WriteAheadLog.SegmentsIn(DataDirectory), replayed.LastSegment + 1, metrics);
            logger.LogInformation(
                "Loaded the stored window from {Directory} in {Seconds:0.0} s: {Nodes} nodes and {Pods} pods from {Checkpoint}, then {Records} pushes ({Samples} samples) from {Segments} log segments.",
                DataDirectory, watch.Elapsed.TotalSeconds, checkpoint.Nodes, checkpoint.Pods, checkpoint.Path ?? "no checkpoint", replayed.Records, replayed.Stored, replayed.Segments);
        }
#pragma warning disable CA1031 // Whatever the disk holds, the facade starts: with what it could load, and says what it could not.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Loading the stored window from {Directory} failed after {Seconds:0.0} s; the facade starts with what was loaded.", DataDirectory, watch.Elapsed.TotalSeconds);
            lock (_commit) _log ??= new WriteAheadLog(WriteAheadLog.SegmentsIn(DataDirectory), NextFreeSegment(), metrics);
            // Nothing loaded names a chunk file: the next checkpoint writes every chunk again.
            _chunkFiles = new ChunkFiles(DataDirectory);
        }
        metrics.Loaded(watch.Elapsed, records, tornTails);
        _checkpointTimer = clock.CreateTimer(_ => TryCheckpoint(), null, _options.CheckpointInterval, _options.CheckpointInterval);
        if (_options.WalSync == WalSyncPolicy.Periodic)
        {
            _syncTimer = clock.CreateTimer(_ => SyncQuietly(), null, _options.WalSyncInterval, _options.WalSyncInterval);
        }
        readiness.Ready();
    }

    private long NextFreeSegment() => WriteAheadLog.Segments(WriteAheadLog.SegmentsIn(DataDirectory)).Select(s => s.Number).DefaultIfEmpty(0).Max() + 1;

    /// <summary>
    /// Writes a checkpoint of the whole window (the chunks closed since the one before, then every
    /// head and the places of every chunk) and removes the log segments it covers: every
    /// <c>CheckpointInterval</c>, and sooner once the log holds <c>CheckpointLogSamples</c>. The log is
    /// cut first, between two pushes: every push before the cut is in the store, so in the
    /// checkpoint; a push after it may be in both, and its replay is a duplicate.
    /// </summary>
    public Checkpoint.Written? TryCheckpoint()
    {
        if (!_checkpointing.Wait(0)) return null;
        try
        {
            long firstSegment;
            WriteAheadLog log;
            lock (_commit)
            {
                if (_log is null) return null;
                log = _log;
                firstSegment = log.Cut();
                _samplesSinceCut = 0;
                Volatile.Write(ref _checkpointAsked, 0);
            }
            var written = Checkpoint.Write(DataDirectory, firstSegment, memory, _chunkFiles!, _stopping.Token);
            var removed = log.RemoveBefore(firstSegment);
            metrics.CheckpointWritten(written.Bytes + written.ChunkBytes, written.Took);
            logger.LogInformation(
                "Checkpoint {Path}: {Nodes} nodes and {Pods} pods, {Bytes} bytes in {Seconds:0.00} s, after {ChunkBytes} bytes of newly closed chunks; {Removed} log segments and {ChunkFilesDeleted} chunk files removed.",
                written.Path, written.Nodes, written.Pods, written.Bytes, written.Took.TotalSeconds, written.ChunkBytes, removed, written.ChunkFilesDeleted);
            return written;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
#pragma warning disable CA1031 // A failed checkpoint loses nothing (the log stays); it must not stop the timer.
        catch (Exception e)
#pragma warning restore CA1031
        {
            metrics.CheckpointFailed();
            logger.LogWarning(e, "Checkpoint in {Directory} failed; the log is kept until one succeeds.", DataDirectory);
            return null;
        }
        finally
        {
            _checkpointing.Release();
            // The log filled up again while this one was written: a checkpoint asked for meanwhile found this one running.
            lock (_commit)
            {
                if (_log is not null && _samplesSinceCut >= _options.CheckpointLogSamples)
                {
                    Volatile.Write(ref _checkpointAsked, 0);
                    AskForCheckpoint();
                }
            }
        }
    }

    /// <summary>Starts a checkpoint on the thread pool, unless one was asked for since the last cut.</summary>
    private void AskForCheckpoint()
    {
        if (Interlocked.Exchange(ref _checkpointAsked, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                TryCheckpoint();
            }
            catch (ObjectDisposedException)
            {
                // The store was disposed (the process stops) before the checkpoint began: the log has it all.
            }
        }, null);
    }

    private void SyncQuietly()
    {
        try
        {
            _log?.SyncAll();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            logger.LogWarning(e, "Write-ahead log sync failed.");
        }
    }

    private StoreOutcome Unwritable(string what, Exception e)
    {
        var failure = $"The write-ahead log in {DataDirectory} {what} ({e.Message})";
        if (Interlocked.Exchange(ref _writeFailure, failure) != failure) logger.LogError("{Failure}; pushes answer 503 until it can.", failure);
        return StoreOutcome.Unavailable(failure + "; nothing of this push was stored, send it again.");
    }

    private void WriteRecovered()
    {
        if (_writeFailure is not null && Interlocked.Exchange(ref _writeFailure, null) is { } was)
        {
            logger.LogInformation("The write-ahead log in {Directory} takes writes again (after: {Failure}).", DataDirectory, was);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_options.DataDirectory is null) return;
        await _loading.WaitAsync(cancellationToken);
        _checkpointTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _syncTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // The next start then reads one checkpoint and next to no log. A stop that must be quick cancels it; the log has it all anyway.
        using (cancellationToken.Register(_stopping.Cancel))
        {
            await Task.Run(TryCheckpoint, CancellationToken.None);
        }
        lock (_commit)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    public void Dispose()
    {
        _checkpointTimer?.Dispose();
        _syncTimer?.Dispose();
        _stopping.Dispose();
        _checkpointing.Dispose();
        lock (_commit) _log?.Dispose();
    }
}
