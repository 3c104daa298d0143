package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import kotlinx.coroutines.asCoroutineDispatcher
import org.jetbrains.lincheck.datastructures.IntGen
import org.jetbrains.lincheck.datastructures.Operation
import org.jetbrains.lincheck.datastructures.Param
import org.jetbrains.lincheck.datastructures.StressOptions
import java.util.concurrent.Executor
import kotlin.time.Duration

/**
 * The cache's non-suspending single-key operations, checked for linearizability by Lincheck: every
 * concurrent run must match some sequential order of the same operations. Multi-key operations
 * (prefix removal, eviction) are weakly consistent, like `ConcurrentHashMap`'s bulk operations,
 * and are not part of this model.
 *
 * Two modes: stress (real threads) and the model checker, which instruments the engine's monitors
 * and explores interleavings at every shared access. The model checker needs the monitor blocks
 * free of non-local returns (see `FetchSlot.begin`): with them, the engine's bytecode failed
 * Lincheck's instrumentation (`VerifyError`). Under it the checker found a bug the stress mode had
 * not: `updateData` written, then the query removed, reported as "removed" so the store wrote the
 * value a second time into a new query.
 */
@Param(name = "key", gen = IntGen::class, conf = "1:3")
class CacheOperations {
    // The operations under test never suspend or wait for background work; a dispatcher that
    // parks every task keeps the client's background coroutines (the gc loop) off threads that
    // Lincheck does not control.
    private val client = QueryClient(
        QueryClientConfig(
            gcTime = Duration.INFINITE,
            clock = QueryClock { 0L },
            coroutineContext = Executor { }.asCoroutineDispatcher(),
        ),
    )

    private fun key(k: Int) = queryKey("k", k)

    @Operation
    fun set(@Param(name = "key") k: Int, value: Int): Int = client.setQueryData(key(k), value)

    @Operation
    fun increment(@Param(name = "key") k: Int): Int = client.setQueryData<Int>(key(k)) { (it ?: 0) + 1 }!!

    @Operation
    fun get(@Param(name = "key") k: Int): Int? = client.getQueryData(key(k))

    @Operation
    fun remove(@Param(name = "key") k: Int) = client.removeQueries(QueryFilter.exact(key(k)))

    @Operation
    fun hasState(@Param(name = "key") k: Int): Boolean = client.getQueryState<Int>(key(k)) != null
}

class LinearizabilitySpec : FunSpec({
    test("set, update, get and remove are linearizable under stress") {
        StressOptions().iterations(5).invocationsPerIteration(200).check(CacheOperations::class)
    }
})
