package dev.stackquery.internal.mutation

import dev.stackquery.QueryKey
import kotlinx.coroutines.Job
import java.util.Optional
import java.util.concurrent.ConcurrentHashMap

/**
 * A client's mutation runs in progress (for `isMutating`) and the line of each mutation scope
 * (runs of one scope execute one after another, in submission order). Lock-free; scopes with
 * nothing in progress take no memory.
 */
internal class MutationRegistry {
    /** A token per run in progress, mapped to its mutation key, if any. */
    private val running = ConcurrentHashMap<Any, Optional<QueryKey>>()

    /** The last submitted run of each scope that has one in progress. */
    private val tails = ConcurrentHashMap<String, Job>()

    /** Records a run; returns the token for [ended]. */
    fun started(mutationKey: QueryKey?): Any = Any().also { running[it] = Optional.ofNullable(mutationKey) }

    fun ended(token: Any) {
        running.remove(token)
    }

    /** Runs in progress whose mutation key starts with [prefix] (`null`: all of them). */
    fun count(prefix: QueryKey?): Int =
        running.values.count { key -> prefix == null || (key.isPresent && key.get().startsWith(prefix)) }

    /** Puts [run] last in the line of scope [id]; returns the run before it (which [run] waits for), or `null`. */
    fun enqueue(id: String, run: Job): Job? {
        val previous = tails.put(id, run)
        run.invokeOnCompletion { tails.remove(id, run) }
        return previous
    }
}
