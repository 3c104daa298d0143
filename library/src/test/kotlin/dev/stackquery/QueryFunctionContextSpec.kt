package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.runTest

class QueryFunctionContextSpec : FunSpec({
    test("a query function reads its key, its options' meta and the client through queryFunctionContext()") {
        runTest {
            val client = testClient()
            val seen = mutableListOf<String>()
            client.setQueryData(queryKey("settings"), "dark")
            val options = QueryOptions(
                queryKey("todos", "done"),
                queryFn = {
                    val context = queryFunctionContext()
                    seen += "${context.queryKey} ${context.meta} ${context.client === client}"
                    "${context.queryKey[1]} in ${context.client.getQueryData<String>(queryKey("settings"))}"
                },
                meta = mapOf("traceId" to "t-1"),
            )
            client.fetchQuery(options) shouldBe "done in dark"
            seen shouldBe listOf("[\"todos\",\"done\"] {traceId=t-1} true")
            client.close()
        }
    }

    test("each fetch sees the meta of the options it runs with") {
        runTest {
            val client = testClient()
            val fn: suspend () -> Any? = { queryFunctionContext().meta["page"] }
            client.fetchQuery(QueryOptions(queryKey("feed"), queryFn = fn, meta = mapOf("page" to 1))) shouldBe 1
            // Stale: the cached value at once, refetched behind it with the new meta.
            client.fetchQuery(QueryOptions(queryKey("feed"), queryFn = fn, meta = mapOf("page" to 2))) shouldBe 1
            settle()
            client.getQueryData<Any?>(queryKey("feed")) shouldBe 2
            client.close()
        }
    }

    test("the context is there in every retry attempt") {
        runTest {
            val client = testClient(retry = 2, retryPolicy = RetryPolicy.fixed(kotlin.time.Duration.ZERO))
            var attempts = 0
            val keys = mutableListOf<QueryKey>()
            val options = QueryOptions(queryKey("flaky"), queryFn = {
                keys += queryFunctionContext().queryKey
                if (++attempts < 3) error("attempt $attempts")
                "ok"
            })
            client.fetchQuery(options) shouldBe "ok"
            keys shouldBe List(3) { queryKey("flaky") }
            client.close()
        }
    }

    test("queryFunctionContext() outside a query function fails with a clear message") {
        runTest {
            shouldThrow<IllegalStateException> { queryFunctionContext() }.message shouldBe
                "queryFunctionContext() was called outside a query function"
        }
    }
})
