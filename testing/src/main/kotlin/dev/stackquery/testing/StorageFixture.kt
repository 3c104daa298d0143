package dev.stackquery.testing

import dev.stackquery.storage.StorageBackend
import io.kotest.core.test.Enabled

/**
 * How a [StorageContract] gets the storage it tests: one fresh, empty storage per test case,
 * released after it. Implement it for your backend and pass it to your `StorageContract` subclass.
 *
 * Calls come from the test's coroutine, one test at a time (kotest's default); an implementation
 * needs no thread-safety of its own unless the spec runs tests concurrently.
 */
public interface StorageFixture {
    /**
     * A new storage holding no entries (from the test's point of view: a fresh namespace of a
     * shared database will do). When [clockDrivenExpiry] is true its expiry must follow [clock]
     * (the contract moves [clock] to expire entries). Called once per test; [release] is called
     * with it after the test, even when the test fails.
     */
    public suspend fun create(clock: ManualClock): StorageBackend

    /**
     * Whether the storage expires entries by [create]'s clock (true, the default). False for a
     * store that expires entries on its own clock (Redis, a database's `NOW()`): the expiry tests
     * then wait in real time ([StorageContract.REAL_TIME_TTL] plus slack) instead of moving the
     * clock, and the `purgeExpired` case checks nothing.
     */
    public val clockDrivenExpiry: Boolean get() = true

    /** Closes [storage] and removes whatever it left behind. Default: [StorageBackend.close]. */
    public suspend fun release(storage: StorageBackend) {
        storage.close()
    }

    /**
     * Whether the contract can run here, asked before each test. A fixture for a store behind a
     * server that is down returns `Enabled.disabled(reason)` (naming the server and the command
     * that starts it): the contract's tests are then skipped, not failed. Default: enabled.
     */
    public fun enabled(): Enabled = Enabled.enabled
}
