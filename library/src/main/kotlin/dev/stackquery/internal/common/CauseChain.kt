@file:JvmName("CauseChain")

package dev.stackquery.internal.common

import java.util.Collections
import java.util.IdentityHashMap

/** How many throwables [causeChain] yields at the most unless told otherwise: 32. */
@InternalStackQueryApi
public const val MAX_CAUSE_DEPTH: Int = 32

/**
 * This throwable, then its cause, that one's cause and so on: outermost first, at most [maxDepth]
 * throwables, and each at most once (a cause chain that loops back, which Java allows, ends where
 * it would repeat). Lazy. For classifying a failure by what it wraps, e.g.
 * `error.causeChain().any { it is java.net.ConnectException }`.
 */
@InternalStackQueryApi
public fun Throwable.causeChain(maxDepth: Int = MAX_CAUSE_DEPTH): Sequence<Throwable> {
    require(maxDepth >= 1) { "maxDepth must be >= 1, was $maxDepth" }
    val start = this
    return sequence {
        val seen = Collections.newSetFromMap(IdentityHashMap<Throwable, Boolean>())
        var current: Throwable? = start
        while (current != null && seen.size < maxDepth && seen.add(current)) {
            yield(current)
            current = current.cause
        }
    }
}
