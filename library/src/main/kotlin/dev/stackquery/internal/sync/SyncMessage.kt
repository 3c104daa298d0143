package dev.stackquery.internal.sync

import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey

/** An operation on shared data that one instance publishes and the others apply. */
internal sealed class SyncMessage {
    /** The key the operation is on: exactly, or as a prefix. */
    abstract val key: QueryKey
    abstract val exact: Boolean

    /** The queries the operation applies to. */
    val filter: QueryFilter get() = if (exact) QueryFilter.exact(key) else QueryFilter.prefix(key)

    class Invalidate(override val key: QueryKey, override val exact: Boolean) : SyncMessage()

    class Remove(override val key: QueryKey, override val exact: Boolean) : SyncMessage()

    class Reset(override val key: QueryKey, override val exact: Boolean) : SyncMessage()

    /** Data set under [key], as its persisted envelope. */
    class Set(override val key: QueryKey, val entry: String) : SyncMessage() {
        override val exact: Boolean get() = true
    }

    override fun toString(): String = "${javaClass.simpleName}($key exact=$exact)"

    companion object {
        /** Everything, invalidated: what replaces messages that could not be sent or were missed. */
        val INVALIDATE_ALL: SyncMessage = Invalidate(QueryKey.EMPTY, exact = false)
    }
}
