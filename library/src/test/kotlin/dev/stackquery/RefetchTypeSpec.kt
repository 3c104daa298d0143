package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds

/** Two fetched queries under `["todos"]`: `active` (observed) and `inactive`, each counting its calls. */
private class TwoQueries(scope: TestScope) {
    val client = scope.testClient()
    val activeFetcher = FakeFetcher(100.milliseconds) { "active-$it" }
    val inactiveFetcher = FakeFetcher(100.milliseconds) { "inactive-$it" }
    val active = QueryOptions(queryKey("todos", "active"), queryFn = { activeFetcher() })
    val inactive = QueryOptions(queryKey("todos", "inactive"), queryFn = { inactiveFetcher() })

    suspend fun fill() {
        client.fetchQuery(active)
        client.fetchQuery(inactive)
        client.observe(active.queryKey)
    }

    fun calls() = activeFetcher.calls to inactiveFetcher.calls
    fun invalidated() = client.getQueryState<String>(active.queryKey)!!.isInvalidated to
        client.getQueryState<String>(inactive.queryKey)!!.isInvalidated
}

class RefetchTypeSpec : FunSpec({
    for ((type, refetched) in listOf(
        RefetchType.ACTIVE to (2 to 1),
        RefetchType.INACTIVE to (1 to 2),
        RefetchType.ALL to (2 to 2),
        RefetchType.NONE to (1 to 1),
    )) {
        test("invalidateQueries(refetchType = $type) marks every match and refetches only the $type ones") {
            runTest {
                val q = TwoQueries(this)
                q.fill()
                q.client.invalidateQueries(queryKey("todos"), refetchType = type)
                q.calls() shouldBe refetched
                // What was refetched is fresh again; what was only marked stays invalidated.
                q.invalidated() shouldBe ((refetched.first == 1) to (refetched.second == 1))
                q.client.close()
            }
        }
    }

    test("invalidateQueries cancels a fetch in flight and starts again by default") {
        runTest {
            val q = TwoQueries(this)
            q.fill()
            val running = async { q.client.refetchQueries(q.active.queryKey) }
            runCurrent() // the refetch (call 2) is in flight
            q.client.invalidateQueries(q.active.queryKey)
            running.await()
            q.activeFetcher.calls shouldBe 3
            q.client.getQueryData<String>(q.active.queryKey) shouldBe "active-3"
            q.client.close()
        }
    }

    test("invalidateQueries(cancelRefetch = false) joins the fetch in flight, which settles still invalidated") {
        runTest {
            val q = TwoQueries(this)
            q.fill()
            val running = async { q.client.refetchQueries(q.active.queryKey) }
            runCurrent()
            q.client.invalidateQueries(q.active.queryKey, cancelRefetch = false)
            running.await()
            q.activeFetcher.calls shouldBe 2
            val state = q.client.getQueryState<String>(q.active.queryKey)!!
            state.data shouldBe "active-2"
            state.isInvalidated shouldBe true
            q.client.close()
        }
    }

    test("refetchQueries joins a fetch in flight by default and restarts it with cancelRefetch = true") {
        runTest {
            val q = TwoQueries(this)
            q.fill()
            val running = async { q.client.refetchQueries(q.inactive.queryKey) }
            runCurrent() // call 2 in flight
            q.client.refetchQueries(q.inactive.queryKey)
            running.await()
            q.inactiveFetcher.calls shouldBe 2
            val again = async { q.client.refetchQueries(q.inactive.queryKey) }
            runCurrent() // call 3 in flight
            q.client.refetchQueries(q.inactive.queryKey, cancelRefetch = true)
            again.await()
            q.inactiveFetcher.calls shouldBe 4
            q.client.getQueryData<String>(q.inactive.queryKey) shouldBe "inactive-4"
            q.client.close()
        }
    }

    test("cancelRefetch never fails the callers waiting for a query's first data: its fetch is joined") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(100.milliseconds) { "first-$it" }
            val options = QueryOptions(queryKey("cold"), queryFn = { fetcher() })
            val waiter = async { client.fetchQuery(options) }
            runCurrent() // the first fetch is in flight, no data yet
            client.refetchQueries(options.queryKey, cancelRefetch = true)
            waiter.await() shouldBe "first-1"
            fetcher.calls shouldBe 1
            client.close()
        }
    }
})
