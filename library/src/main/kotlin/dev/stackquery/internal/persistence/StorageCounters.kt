package dev.stackquery.internal.persistence

import dev.stackquery.storage.StorageStats
import java.util.concurrent.atomic.LongAdder

/** The live counters behind [StorageStats]: striped, so reads and the writer never contend. */
internal class StorageCounters {
    val hits = LongAdder()
    val pendingHits = LongAdder()
    val staleHits = LongAdder()
    val misses = LongAdder()
    val corrupt = LongAdder()
    val writes = LongAdder()
    val deletes = LongAdder()
    val errors = LongAdder()
    val timeouts = LongAdder()
    val skipped = LongAdder()
    val writesDropped = LongAdder()
    val reads = LongAdder()
    val readNanos = LongAdder()

    fun snapshot(pendingWrites: Int, circuitOpen: Boolean): StorageStats = StorageStats(
        hits = hits.sum(), staleHits = staleHits.sum(), misses = misses.sum(), corrupt = corrupt.sum(),
        writes = writes.sum(), deletes = deletes.sum(), errors = errors.sum(), timeouts = timeouts.sum(),
        skipped = skipped.sum(), writesDropped = writesDropped.sum(),
        pendingWrites = pendingWrites, circuitOpen = circuitOpen,
        reads = reads.sum(), totalReadNanos = readNanos.sum(), pendingHits = pendingHits.sum(),
    )
}
