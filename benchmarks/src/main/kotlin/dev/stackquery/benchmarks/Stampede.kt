package dev.stackquery.benchmarks

import com.github.benmanes.caffeine.cache.AsyncLoadingCache
import dev.stackquery.QueryClient
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference

/**
 * A cold-key stampede: [callers] coroutines on `Dispatchers.Default` that each wait at a gate, then
 * ask for one key at the same moment. [prepare] starts them and returns once all are waiting;
 * [run] opens the gate and returns when every caller has its value.
 *
 * The callers are the same coroutines for every contender; only the call differs
 * ([prepareStackQuery]: `client.fetchQuery`, [prepareCaffeine]: `cache.get(key).await()`).
 * Not thread-safe: one benchmark thread drives it.
 */
class Stampede(private val callers: Int) : AutoCloseable {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private var gate = CompletableDeferred<Unit>()
    private var done = CountDownLatch(0)
    private val failure = AtomicReference<Throwable?>()
    private val wrongValues = AtomicInteger()

    /** Callers that will call `client.fetchQuery(options)` and expect [expected]. */
    fun prepareStackQuery(client: QueryClient, options: QueryOptions<String>, expected: String) =
        prepare(expected) { client.fetchQuery(options) }

    /** Callers that will call `cache.get(key).await()` and expect [expected]. */
    fun prepareCaffeine(cache: AsyncLoadingCache<QueryKey, String>, key: QueryKey, expected: String) =
        prepare(expected) { cache.get(key).await() }

    private fun prepare(expected: String, call: suspend () -> String) {
        check(done.count == 0L) { "the previous stampede has not finished" }
        gate = CompletableDeferred()
        val ready = CountDownLatch(callers)
        val finished = CountDownLatch(callers)
        done = finished
        val opened = gate
        repeat(callers) {
            scope.launch {
                try {
                    ready.countDown()
                    opened.await()
                    if (call() != expected) wrongValues.incrementAndGet()
                } catch (e: Throwable) {
                    failure.compareAndSet(null, e)
                } finally {
                    finished.countDown()
                }
            }
        }
        check(ready.await(60, TimeUnit.SECONDS)) { "the $callers callers did not all start within 60 s" }
    }

    /** Opens the gate and waits until every caller has its value; throws if any failed or got a wrong one. */
    fun run() {
        gate.complete(Unit)
        check(done.await(60, TimeUnit.SECONDS)) { "the stampede did not finish within 60 s" }
        failure.get()?.let { throw IllegalStateException("a caller failed", it) }
        check(wrongValues.get() == 0) { "${wrongValues.get()} callers got a wrong value" }
    }

    override fun close() {
        scope.cancel()
    }
}
