package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.test.runTest
import java.lang.management.ManagementFactory
import kotlin.time.Duration

/**
 * The fresh-hit path of fetchQuery is a map lookup, a volatile read and a clock read. Its speed is
 * measured by JMH in the benchmarks module; here we check what can be checked exactly.
 */
class FreshHitPathSpec : FunSpec({
    test("a fresh hit allocates nothing") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val options = QueryOptions(queryKey("user", 1), { "alice" })
            client.fetchQuery(options)
            val threads = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
            val thread = Thread.currentThread().id
            repeat(20_000) { client.engine.freshState(options) } // warm up (and let LongAdder settle)
            val before = threads.getThreadAllocatedBytes(thread)
            repeat(100_000) { client.engine.freshState(options) }
            val allocated = threads.getThreadAllocatedBytes(thread) - before
            allocated shouldBeLessThan 10_000L // < 0.1 byte per hit: only the measuring call itself
            client.close()
        }
    }

    test("fetchQuery returns the fresh-hit path's value, and a miss falls through to a fetch") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val options = QueryOptions(queryKey("user", 1), { "alice" })
            client.engine.freshState(options) shouldBe null
            client.fetchQuery(options) shouldBe "alice"
            client.engine.freshState(options)?.data shouldBe "alice"
            client.stats().hits shouldBe 1
            client.stats().misses shouldBe 1
            client.close()
        }
    }
})
