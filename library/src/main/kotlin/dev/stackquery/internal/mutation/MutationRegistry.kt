package dev.stackquery.internal.mutation

import dev.stackquery.QueryKey
import kotlinx.coroutines.Job
import java.util.concurrent.ConcurrentHashMap

/**
 * A client's mutation runs in progress (for `isMutating`) and the line of each mutation scope
 * (runs of one scope execute one after another, in submission order). Scopes with nothing in
 * progress take no memory.
 *
 * A run is counted from the moment its state becomes PENDING to the moment it settles: [started]
 * and [ended] publish the state change under the same lock as the count, so no reader sees a
 * run PENDING and not counted, or settled and still counted.
 */
internal class MutationRegistry {
    private val lock = Any()

    /** A token per run in progress, mapped to its mutation key, if any; guarded by [lock]. */
    private val running = HashMap<Long, QueryKey?>()

    /** The next token: numbers, not identities, so the map is the same in every run of a model check. */
    private var nextToken = 0L // guarded by lock

    /** The completion signal of the last submitted run of each scope that has one in progress. */
    private val tails = ConcurrentHashMap<String, Job>()

    /** Records a run and runs [publish] (its PENDING state) at the same point; returns the token for [ended]. */
    fun started(mutationKey: QueryKey?, publish: () -> Unit): Long = synchronized(lock) {
        val token = nextToken++
        running[token] = mutationKey
        publish()
        token
    }

    /** Ends the run of [token] and runs [publish] (its settled state) at the same point; nothing if it had ended already. */
    fun ended(token: Long, publish: () -> Unit) = synchronized(lock) {
        if (running.containsKey(token)) {
            running.remove(token)
            publish()
        }
    }

    /** Runs in progress whose mutation key starts with [prefix] (`null`: all of them). */
    fun count(prefix: QueryKey?): Int = synchronized(lock) {
        if (prefix == null) running.size else running.values.count { it != null && it.startsWith(prefix) }
    }

    /**
     * Puts a run last in the line of scope [id], as [finished], which completes when the run ends;
     * returns the `finished` of the run before it (which the run waits for), or `null`.
     */
    fun enqueue(id: String, finished: Job): Job? {
        val previous = tails.put(id, finished)
        finished.invokeOnCompletion { tails.remove(id, finished) }
        return previous
    }
}
