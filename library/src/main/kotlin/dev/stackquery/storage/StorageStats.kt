package dev.stackquery.storage

import java.time.Duration

/**
 * An immutable snapshot of what a [dev.stackquery.QueryClient] did with its L2 storage, from
 * [dev.stackquery.QueryClient.storageStats]. Counters only grow; [pendingWrites] and
 * [circuitOpen] describe the moment of the snapshot.
 *
 * @property hits hydrations that found a fresh entry in the storage (the query function was not
 *   called).
 * @property staleHits hydrations that found a stale or invalidated entry (returned, then refetched).
 * @property misses hydrations that found no entry.
 * @property corrupt entries that could not be decoded, or were written under another envelope
 *   version or buster: each was treated as a miss and deleted.
 * @property writes entries written (one per key per batch).
 * @property deletes deletions sent (single keys and prefixes).
 * @property errors storage operations that failed or timed out.
 * @property timeouts the part of [errors] that exceeded `storageTimeout`.
 * @property skipped operations not attempted because the circuit breaker was open.
 * @property writesDropped writes given up: retried `storageWriteRetries` times in vain, not
 *   encodable, pushed out when more than `maxPendingWrites` were waiting, left behind an open
 *   breaker when the client closed, or lost when the client's parent `Job` was cancelled.
 * @property pendingWrites writes and deletions waiting for the background writer.
 * @property circuitOpen whether the breaker is open now (the storage is being skipped).
 * @property reads storage reads completed (found, missing or corrupt), the denominator of [averageReadLatency].
 * @property totalReadNanos the wall time of those reads, added up.
 * @property pendingHits hydrations answered by the client's own write still waiting for the
 *   writer (the storage was not read; counted apart from [hits] and [staleHits], so a slow or
 *   skipped storage does not look like a busy one).
 */
public class StorageStats @JvmOverloads constructor(
    public val hits: Long,
    public val staleHits: Long,
    public val misses: Long,
    public val corrupt: Long,
    public val writes: Long,
    public val deletes: Long,
    public val errors: Long,
    public val timeouts: Long,
    public val skipped: Long,
    public val writesDropped: Long,
    public val pendingWrites: Int,
    public val circuitOpen: Boolean,
    public val reads: Long,
    public val totalReadNanos: Long,
    public val pendingHits: Long = 0,
) {
    /** The mean wall time of a storage read; zero when there was none. */
    public val averageReadLatency: Duration
        get() = if (reads == 0L) Duration.ZERO else Duration.ofNanos(totalReadNanos / reads)

    override fun equals(other: Any?): Boolean =
        other is StorageStats && hits == other.hits && staleHits == other.staleHits && misses == other.misses &&
            corrupt == other.corrupt && writes == other.writes && deletes == other.deletes && errors == other.errors &&
            timeouts == other.timeouts && skipped == other.skipped && writesDropped == other.writesDropped &&
            pendingWrites == other.pendingWrites && circuitOpen == other.circuitOpen && reads == other.reads &&
            totalReadNanos == other.totalReadNanos && pendingHits == other.pendingHits

    override fun hashCode(): Int = listOf(
        hits, staleHits, misses, corrupt, writes, deletes, errors, timeouts, skipped, writesDropped, reads,
        pendingHits,
    )
        .hashCode() * 31 + pendingWrites

    override fun toString(): String =
        "StorageStats(hits=$hits, staleHits=$staleHits, misses=$misses, corrupt=$corrupt, writes=$writes, " +
            "deletes=$deletes, errors=$errors, timeouts=$timeouts, skipped=$skipped, writesDropped=$writesDropped, " +
            "pendingWrites=$pendingWrites, circuitOpen=$circuitOpen, reads=$reads, pendingHits=$pendingHits, " +
            "averageReadLatency=$averageReadLatency)"
}
