package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions
import org.jetbrains.lincheck.datastructures.Operation
import org.jetbrains.lincheck.datastructures.Param
import org.jetbrains.lincheck.datastructures.IntGen
import org.jetbrains.lincheck.datastructures.StressOptions
import kotlin.time.Duration

/**
 * The cache's non-suspending single-key operations, checked for linearizability by Lincheck: every
 * concurrent run must match some sequential order of the same operations. Multi-key operations
 * (prefix removal, eviction) are weakly consistent, like `ConcurrentHashMap`'s bulk operations,
 * and are not part of this model.
 */
@Param(name = "key", gen = IntGen::class, conf = "1:3")
class CacheOperations {
    private val client = QueryClient(
        QueryClientConfig(gcTime = Duration.INFINITE, clock = QueryClock { 0L }),
    )

    private fun key(k: Int) = queryKey("k", k)

    @Operation
    fun set(@Param(name = "key") k: Int, value: Int): Int = client.setQueryData(key(k), value)

    @Operation
    fun increment(@Param(name = "key") k: Int): Int = client.setQueryData<Int>(key(k)) { (it ?: 0) + 1 }

    @Operation
    fun get(@Param(name = "key") k: Int): Int? = client.getQueryData(key(k))

    @Operation
    fun remove(@Param(name = "key") k: Int) = client.removeQueries(QueryFilter.exact(key(k)))

    @Operation
    fun hasState(@Param(name = "key") k: Int): Boolean = client.getQueryState<Int>(key(k)) != null
}

class LinearizabilitySpec : FunSpec({
    test("set, update, get and remove are linearizable under model checking") {
        ModelCheckingOptions().iterations(5).invocationsPerIteration(100).check(CacheOperations::class)
    }

    test("set, update, get and remove are linearizable under stress") {
        StressOptions().iterations(5).invocationsPerIteration(200).check(CacheOperations::class)
    }
})
