package dev.stackquery.internal.query

import dev.stackquery.internal.client.ClientRuntime
import dev.stackquery.internal.persistence.L2Tier
import dev.stackquery.internal.store.FetchDrains
import dev.stackquery.internal.store.GcScheduler

/**
 * What a [Query] needs from the store that holds it, and nothing more: the client's runtime, its
 * L2 tier, the gc timer, the cancelled executions still finishing, and a way to say it became
 * inactive (for eviction).
 */
internal interface QueryHost {
    val runtime: ClientRuntime
    val l2: L2Tier?
    val gc: GcScheduler
    val drains: FetchDrains

    /** [query] just lost its last observer or fetch. */
    fun onBecameInactive(query: Query<*>)
}
