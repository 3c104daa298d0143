package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest

/** A client whose cache-wide callbacks, and the options' own, write to [calls]. */
private class RelayClient(scope: TestScope, throwing: Boolean = false) {
    val calls = mutableListOf<String>()
    val client = QueryClient(
        QueryClientConfig(
            retry = 0,
            clock = QueryClock { scope.testScheduler.currentTime },
            coroutineContext = StandardTestDispatcher(scope.testScheduler),
            queryCacheCallbacks = QueryCacheCallbacks(
                onSuccess = { data, query ->
                    calls += "cache onSuccess $data ${query.queryKey} ${query.state.status} ${query.meta}"
                    if (throwing) error("relay broke")
                },
                onError = { error, query -> calls += "cache onError ${error.message} ${query.meta["errorMessage"]}" },
                onSettled = { data, error, query ->
                    calls += "cache onSettled $data ${error?.message} ${query.queryKey}"
                },
            ),
        ),
    )

    fun <T> options(key: QueryKey, meta: Map<String, Any?> = emptyMap(), fn: suspend () -> T) = QueryOptions(
        key,
        queryFn = fn,
        meta = meta,
        onSuccess = { calls += "options onSuccess $it" },
        onError = { calls += "options onError ${it.message}" },
        onSettled = { data, error -> calls += "options onSettled $data ${error?.message}" },
    )
}

class QueryCacheCallbacksSpec : FunSpec({
    test(
        "a success calls the cache's onSuccess, the options', the cache's onSettled, then the options', once per fetch",
    ) {
        runTest {
            val relay = RelayClient(this)
            val options = relay.options(queryKey("user", 1), meta = mapOf("screen" to "profile")) { "ada" }
            val a = async { relay.client.fetchQuery(options) }
            val b = async { relay.client.fetchQuery(options) } // joins: one fetch, one set of calls
            a.await() shouldBe "ada"
            b.await() shouldBe "ada"
            relay.calls shouldBe listOf(
                "cache onSuccess ada [\"user\",1] SUCCESS {screen=profile}",
                "options onSuccess ada",
                "cache onSettled ada null [\"user\",1]",
                "options onSettled ada null",
            )
            relay.client.close()
        }
    }

    test("a failure calls the error callbacks with the query's meta, the global error relay's usual input") {
        runTest {
            val relay = RelayClient(this)
            val options = relay.options(queryKey("todos"), meta = mapOf("errorMessage" to "Could not load todos")) {
                error("HTTP 500")
            }
            runCatching { relay.client.fetchQuery(options) }.exceptionOrNull()?.message shouldBe "HTTP 500"
            relay.calls shouldBe listOf(
                "cache onError HTTP 500 Could not load todos",
                "options onError HTTP 500",
                "cache onSettled null HTTP 500 [\"todos\"]",
                "options onSettled null HTTP 500",
            )
            relay.client.close()
        }
    }

    test("a cancelled fetch calls no callback") {
        runTest {
            val relay = RelayClient(this)
            val gate = CompletableDeferred<String>()
            val options = relay.options(queryKey("slow")) { gate.await() }
            val waiter = async { runCatching { relay.client.fetchQuery(options) } }
            runCurrent()
            relay.client.cancelQueries(queryKey("slow"))
            waiter.await().isFailure shouldBe true
            relay.client.cancelQueries(queryKey("slow"), revert = false) // nothing in flight: nothing happens
            relay.calls shouldBe emptyList()
            relay.client.close()
        }
    }

    test("a throwing cache callback is logged and changes neither the outcome nor the other callbacks") {
        runTest {
            val relay = RelayClient(this, throwing = true)
            relay.client.fetchQuery(relay.options(queryKey("user", 2)) { "grace" }) shouldBe "grace"
            relay.calls shouldBe listOf(
                "cache onSuccess grace [\"user\",2] SUCCESS {}",
                "options onSuccess grace",
                "cache onSettled grace null [\"user\",2]",
                "options onSettled grace null",
            )
            relay.client.getQueryState<String>(queryKey("user", 2))!!.status shouldBe QueryStatus.SUCCESS
            relay.client.close()
        }
    }
})
