package dev.stackquery.benchmarks

import dev.stackquery.QueryStateField
import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

/** The equal-refetch fan-out harness with 200 observers. */
class EqualRefetchFanOutSpec : FunSpec({
    test("StackQuery, DATA only: equal refetches run the query function and wake no observer") {
        hitClient(10).use { client ->
            EqualRefetchFanOut(200, timeoutSeconds = 20).use { fanOut ->
                fanOut.startStackQuery(client, queryKey("equal-refetch"), dataOnly = true)
                repeat(20) { fanOut.refetch() }
                fanOut.verify()
                fanOut.totalDeliveries() shouldBe 0L
                client.getQueryState<Any>(queryKey("equal-refetch"))!!.dataUpdateCount shouldBe 21
            }
        }
    }

    test("StackQuery, all fields: each refetch returns once every collector saw the settled state") {
        hitClient(10).use { client ->
            EqualRefetchFanOut(200, timeoutSeconds = 20).use { fanOut ->
                fanOut.startStackQuery(client, queryKey("equal-refetch"), dataOnly = false)
                repeat(20) { fanOut.refetch() }
                fanOut.verify()
                fanOut.totalDeliveries() shouldBeGreaterThanOrEqual 20L * 200
            }
        }
    }

    test("StackQuery without observers: the refetches run and keep the cached instance") {
        hitClient(10).use { client ->
            EqualRefetchFanOut(200, timeoutSeconds = 20).use { fanOut ->
                fanOut.startStackQueryWithoutObservers(client, queryKey("equal-refetch"))
                repeat(20) { fanOut.refetch() }
                fanOut.verify()
                fanOut.refetchCount shouldBe 20L
            }
        }
    }

    test("StateFlow: setting an equal list wakes no collector") {
        EqualRefetchFanOut(200, timeoutSeconds = 20).use { fanOut ->
            fanOut.startStateFlow()
            repeat(20) { fanOut.refetch() }
            fanOut.verify()
            fanOut.totalDeliveries() shouldBe 0L
        }
    }

    test("verify fails when observers expected to stay quiet were woken by the refetches") {
        hitClient(10).use { client ->
            EqualRefetchFanOut(200, timeoutSeconds = 20).use { fanOut ->
                // FETCH_STATUS changes twice per refetch: these observers are woken.
                fanOut.startStackQuery(
                    client,
                    queryKey("equal-refetch"),
                    setOf(QueryStateField.DATA, QueryStateField.FETCH_STATUS),
                )
                repeat(3) { fanOut.refetch() }
                val error = shouldThrow<IllegalStateException> { fanOut.verify() }
                error.message shouldContain "after 3 equal refetches"
                error.message shouldContain "observer 0 shows a new state"
            }
        }
    }

    test("freshItems makes an equal list of new instances") {
        val a = EqualRefetchFanOut.freshItems()
        val b = EqualRefetchFanOut.freshItems()
        a shouldBe b
        (a === b) shouldBe false
        (a[0] === b[0]) shouldBe false
    }
})
