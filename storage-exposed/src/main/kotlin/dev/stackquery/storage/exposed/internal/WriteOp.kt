package dev.stackquery.storage.exposed.internal

import kotlinx.coroutines.CompletableDeferred

/**
 * One write waiting for [GroupCommitWriter]: its caller suspends on [result] (the number of rows
 * removed for the counting operations, 0 otherwise) until the transaction holding it commits.
 */
internal sealed class WriteOp {
    val result: CompletableDeferred<Long> = CompletableDeferred()

    /** Rows this operation writes, to bound the size of one transaction. */
    abstract val weight: Int

    /**
     * Upserts and deletes by key, applied in order (the last write of a key wins): `set`, `delete`
     * and `setAll`.
     */
    class Put(val writes: List<KeyWrite>) : WriteOp() {
        override val weight: Int get() = writes.size
    }

    /** Deletes every key starting with [prefix]; the result is how many rows were deleted. */
    class DeletePrefix(val prefix: String) : WriteOp() {
        override val weight: Int get() = 1
    }

    /** Deletes every row expired at [now]; the result is how many. */
    class Purge(val now: Long) : WriteOp() {
        override val weight: Int get() = 1
    }
}

/**
 * The new state of [key]: [value] expiring at [expiresAt] (`null`: never), written at
 * [updatedAt]; or, with a `null` [value], no entry.
 */
internal class KeyWrite(val key: String, val value: String?, val expiresAt: Long?, val updatedAt: Long)
