package dev.stackquery.internal.store

import dev.stackquery.QueryKey
import kotlinx.coroutines.Job
import java.util.concurrent.ConcurrentHashMap

/**
 * Cancelled executions still finishing, per key: a new fetch of the key waits for them all, so a
 * query function never runs twice at once for one key. Lock-free; holds a key only while one of
 * its executions is finishing.
 */
internal class FetchDrains {
    private val draining = ConcurrentHashMap<QueryKey, List<Job>>()

    /** Records [job], a cancelled execution of [key] that has not finished yet. */
    fun add(key: QueryKey, job: Job) {
        draining.merge(key, listOf(job)) { jobs, added -> jobs + added }
        job.invokeOnCompletion { draining.computeIfPresent(key) { _, jobs -> (jobs - job).ifEmpty { null } } }
    }

    /**
     * The cancelled executions of [key] still finishing. Every one is listed until it completes
     * (one that never started completes at once), so waiting for them all means none is left running.
     */
    fun of(key: QueryKey): List<Job> = draining[key].orEmpty()
}
