package dev.stackquery.benchmarks

import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred

class DirectCallerSpec : FunSpec({
    test("fetchQuery returns the data of a fresh key, without a coroutine") {
        hitClient(10).use { client ->
            client.setQueryData(queryKey("item", 1), "v1")
            DirectCaller(client).fetchQuery(hitOptions<String>(queryKey("item", 1))) shouldBe "v1"
            client.stats().hits shouldBe 1
        }
    }

    test("fetchQuery throws when the call suspends, that is when the key is not a fresh hit") {
        hitClient(10).use { client ->
            val never = CompletableDeferred<String>()
            val cold = QueryOptions(queryKey("item", 2), queryFn = { never.await() })
            val error = shouldThrow<IllegalStateException> { DirectCaller(client).fetchQuery(cold) }
            error.message shouldBe """fetchQuery(["item",2]) suspended: it was not a fresh hit"""
        }
    }

    test("invalidateQueries marks every query under the prefix, and only those, without a coroutine") {
        hitClient(10).use { client ->
            client.setQueryData(queryKey("todo", 1, 1), "a")
            client.setQueryData(queryKey("todo", 1, 2), "b")
            client.setQueryData(queryKey("todo", 2, 1), "c")
            DirectCaller(client).invalidateQueries(queryKey("todo", 1))
            client.getQueryState<String>(queryKey("todo", 1, 1))!!.isInvalidated shouldBe true
            client.getQueryState<String>(queryKey("todo", 1, 2))!!.isInvalidated shouldBe true
            client.getQueryState<String>(queryKey("todo", 2, 1))!!.isInvalidated shouldBe false
        }
    }

    test("the options of the hit benchmarks fail loudly if their query function ever runs") {
        hitClient(10).use { client ->
            val error = shouldThrow<IllegalStateException> {
                kotlinx.coroutines.runBlocking { client.fetchQuery(hitOptions<String>(queryKey("item", 3))) }
            }
            error.message shouldBe """the query function of ["item",3] ran: the benchmark expected a cache hit"""
        }
    }
})
