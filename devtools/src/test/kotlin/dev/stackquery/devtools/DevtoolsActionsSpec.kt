package dev.stackquery.devtools

import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.util.concurrent.atomic.AtomicInteger

class DevtoolsActionsSpec : FunSpec({
    test("invalidate marks the queries under the prefix invalidated and refetches the observed ones") {
        withClient { client ->
            val calls = AtomicInteger()
            val observed = QueryOptions(queryKey("user", 1), queryFn = { "ada #${calls.incrementAndGet()}" })
            val subscription = client.watch(observed).subscribe { }
            client.setQueryData(queryKey("user", 2), "grace")
            client.setQueryData(queryKey("post", 1), "hello")
            awaitUntil("the observed query fetched") {
                calls.get() == 1 &&
                    client.getQueryData<String>(queryKey("user", 1)) != null
            }
            withDevtools(client) { devtools ->
                val reply = devtools.call("/api/invalidate?key=" + enc("[\"user\"]"), method = "POST")
                reply.status shouldBe 202
                reply.json.prim("matched") shouldBe "2"
                client.getQueryState<String>(queryKey("user", 2))!!.isInvalidated shouldBe true
                client.getQueryState<String>(queryKey("post", 1))!!.isInvalidated shouldBe false
                awaitUntil("the observed query refetched") {
                    client.getQueryData<String>(queryKey("user", 1)) ==
                        "ada #2"
                }
            }
            subscription.unsubscribe()
        }
    }

    test("refetch runs the query function of the queries under the prefix again") {
        withClient { client ->
            val calls = AtomicInteger()
            client.fetchQuery(QueryOptions(queryKey("todo", 1), queryFn = { calls.incrementAndGet() }))
            withDevtools(client) { devtools ->
                devtools.call("/api/refetch?key=" + enc("[\"todo\"]"), method = "POST").status shouldBe 202
                awaitUntil("refetched") { client.getQueryData<Int>(queryKey("todo", 1)) == 2 }
                calls.get() shouldBe 2
            }
        }
    }

    test("reset puts the query back to its initial state") {
        withClient { client ->
            client.fetchQuery(QueryOptions(queryKey("todo", 1), queryFn = { "x" }))
            withDevtools(client) { devtools ->
                devtools.call("/api/reset?key=" + enc("[\"todo\",1]") + "&exact=true", method = "POST").status shouldBe
                    202
                awaitUntil("reset") { client.getQueryState<String>(queryKey("todo", 1))?.hasData == false }
                devtools.row("[\"todo\",1]")!!.prim("status") shouldBe "IDLE"
            }
        }
    }

    test("remove by exact key removes only that key; by prefix every key under it") {
        withClient { client ->
            for (i in 1..3) client.setQueryData(queryKey("user", i), "u$i")
            client.setQueryData(queryKey("user", 1, "posts"), "p")
            client.setQueryData(queryKey("post", 1), "hello")
            withDevtools(client) { devtools ->
                val exact = devtools.call("/api/remove?key=" + enc("[\"user\",1]") + "&exact=true", method = "POST")
                exact.status shouldBe 200
                exact.json.prim("matched") shouldBe "1"
                client.queries(queryKey("user")).map { it.queryKey } shouldBe
                    listOf(queryKey("user", 1, "posts"), queryKey("user", 2), queryKey("user", 3))
                devtools.call("/api/remove?key=" + enc("[\"user\"]"), method = "POST").json.prim("matched") shouldBe "3"
                client.queries().map { it.queryKey } shouldBe listOf(queryKey("post", 1))
                devtools.queries().map { it.str("key") } shouldBe listOf("[\"post\",1]")
            }
        }
    }

    test("an action without a key or with a bad key is refused with 400") {
        withClient { client ->
            withDevtools(client) { devtools ->
                devtools.call("/api/remove", method = "POST").status shouldBe 400
                val bad = devtools.call("/api/remove?key=" + enc("[null]"), method = "POST")
                bad.status shouldBe 400
                bad.body shouldContain "key segment 0 must be a string, number or boolean"
                devtools.call("/api/remove?key=" + enc("[{}]"), method = "POST").status shouldBe 400
            }
        }
    }
})
