package dev.stackquery.internal.store

import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import dev.stackquery.internal.client.ClientRuntime
import dev.stackquery.internal.persistence.L2Tier
import dev.stackquery.internal.query.Query
import dev.stackquery.internal.query.QueryHost
import kotlinx.coroutines.Dispatchers
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration

/**
 * A hand-written [QueryHost] for component tests of the store's parts: no store and no L2 tier,
 * a real [GcScheduler] on [clock] whose expiries are recorded in [expired], and every
 * [onBecameInactive] recorded in [becameInactive] and forwarded to [inactiveListener].
 */
internal class FakeQueryHost(
    val clock: QueryClock = QueryClock { 0L },
    context: CoroutineContext = Dispatchers.Default,
    gcTime: Duration = Duration.INFINITE,
) : QueryHost {
    override val runtime = ClientRuntime(QueryClientConfig(clock = clock, gcTime = gcTime, coroutineContext = context))
    override val l2: L2Tier? = null

    /** `(query, deadline)` of every expiry the gc scheduler reported, in order. */
    val expired = mutableListOf<Pair<Query<*>, Long>>()
    override val gc = GcScheduler(clock) { query, deadline -> expired += query to deadline }
    override val drains = FetchDrains()

    val becameInactive = mutableListOf<Query<*>>()
    var inactiveListener: (Query<*>) -> Unit = {}

    override fun onBecameInactive(query: Query<*>) {
        becameInactive += query
        inactiveListener(query)
    }

    private var nextSequence = 0L

    /** A new idle query under [key], created in sequence order, last accessed at [lastAccess]. */
    fun query(key: QueryKey, lastAccess: Long = 0): Query<Any?> =
        Query<Any?>(key, this, QueryState.idle(), nextSequence++, options = null).also { it.lastAccess = lastAccess }
}
