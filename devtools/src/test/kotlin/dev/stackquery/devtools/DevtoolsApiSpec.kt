package dev.stackquery.devtools

import dev.stackquery.MutationOptions
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.storage.QueryCodec
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import kotlin.time.Duration.Companion.minutes

@Serializable
data class Todo(val id: Int, val title: String, val done: Boolean)

class DevtoolsApiSpec : FunSpec({
    test(
        "the query list shows each query's key, status, fetch status, age, staleness, observers, gc deadline, reason and failures",
    ) {
        withClient { client ->
            withDevtools(client) { devtools ->
                client.fetchQuery(QueryOptions(queryKey("todos", 1), queryFn = { "buy milk" }, staleTime = 1.minutes))
                val observer = client.watch(QueryOptions(queryKey("todos", 2), queryFn = { "walk" }))
                val subscription = observer.subscribe { }
                awaitUntil("the observed query fetched") { client.getQueryData<String>(queryKey("todos", 2)) == "walk" }

                val rows = devtools.queries()
                rows.map { it.str("key") } shouldBe listOf("[\"todos\",1]", "[\"todos\",2]")
                val (fetched, observed) = rows
                fetched.prim("status") shouldBe "SUCCESS"
                fetched.prim("fetchStatus") shouldBe "IDLE"
                fetched.prim("stale") shouldBe "false"
                fetched.prim("observers") shouldBe "0"
                fetched.prim("lastFetchReason") shouldBe "FETCH"
                fetched.prim("failureCount") shouldBe "0"
                (fetched.getValue("dataAgeMillis").jsonPrimitive.long >= 0) shouldBe true
                (fetched.getValue("gcDeadline").jsonPrimitive.long > 0) shouldBe true
                observed.prim("observers") shouldBe "1"
                observed.prim("stale") shouldBe "true"
                observed.prim("gcDeadline") shouldBe "null"
                observed.prim("lastFetchReason") shouldBe "OBSERVER_ATTACHED"
                subscription.unsubscribe()
            }
        }
    }

    test("the prefix parameter lists only the queries under that key prefix") {
        withClient { client ->
            client.setQueryData(queryKey("user", 1), "ada")
            client.setQueryData(queryKey("user", 2), "grace")
            client.setQueryData(queryKey("users"), "all")
            client.setQueryData(queryKey("post", 1), "hello")
            withDevtools(client) { devtools ->
                devtools.queries("[\"user\"]").map { it.str("key") } shouldBe listOf("[\"user\",1]", "[\"user\",2]")
                devtools.queries("[\"user\",2]").map { it.str("key") } shouldBe listOf("[\"user\",2]")
                devtools.queries("[]").size shouldBe 4
                devtools.queries().size shouldBe 4
                val bad = devtools.call("/api/queries?prefix=" + enc("user"))
                bad.status shouldBe 400
                bad.body shouldContain "a key must be a JSON array"
            }
        }
    }

    test("a query with a codec shows its data as the codec's JSON") {
        withClient { client ->
            val key = queryKey("todo", 7)
            client.fetchQuery(
                QueryOptions(key, queryFn = {
                    Todo(7, "ship", false)
                }, codec = QueryCodec.kotlinx(Todo.serializer())),
            )
            withDevtools(client) { devtools ->
                val detail = devtools.get("/api/query?key=" + enc(key.toString()))
                detail.prim("persisted") shouldBe "true"
                val data = detail.getValue("data").jsonObject
                data.prim("kind") shouldBe "json"
                data.getValue("json") shouldBe Json.parseToJsonElement("""{"id":7,"title":"ship","done":false}""")
            }
        }
    }

    test("a query without a codec hides its data unless showDataWithoutCodec, then shows its toString()") {
        withClient { client ->
            val key = queryKey("secret")
            client.fetchQuery(QueryOptions(key, queryFn = { Todo(1, "password=hunter2", false) }))
            val path = "/api/query?key=" + enc(key.toString())
            withDevtools(client) { devtools ->
                val data = devtools.get(path).getValue("data").jsonObject
                data.prim("kind") shouldBe "hidden"
                devtools.call(path).body.contains("hunter2") shouldBe false
            }
            withDevtools(client, StackQueryDevtoolsOptions(showDataWithoutCodec = true)) { devtools ->
                val data = devtools.get(path).getValue("data").jsonObject
                data.prim("kind") shouldBe "text"
                data.prim("text") shouldBe "Todo(id=1, title=password=hunter2, done=false)"
            }
        }
    }

    test("a codec that fails shows the failure instead of the data") {
        withClient { client ->
            val key = queryKey("broken")
            val codec = QueryCodec.of<String>({ error("no encoder for $it") }, { it })
            client.fetchQuery(QueryOptions(key, queryFn = { "x" }, codec = codec))
            withDevtools(client) { devtools ->
                val data = devtools.get("/api/query?key=" + enc(key.toString())).getValue("data").jsonObject
                data.prim("kind") shouldBe "error"
                data.prim("error") shouldContain "no encoder for x"
            }
        }
    }

    test("the detail holds the query's last state changes, at most historySize, oldest first") {
        withClient { client ->
            withDevtools(client, StackQueryDevtoolsOptions(historySize = 3)) { devtools ->
                val key = queryKey("counter")
                repeat(5) { client.setQueryData(key, it) }
                val path = "/api/query?key=" + enc(key.toString())
                awaitUntil("five changes recorded, three kept") {
                    devtools.get(path).getValue("history").jsonArray.size == 3
                }
                val history = devtools.get(path).getValue("history").jsonArray.map { it.jsonObject }
                history.map { it.prim("status") } shouldBe listOf("SUCCESS", "SUCCESS", "SUCCESS")
                history.map { it.getValue("dataUpdatedAt").jsonPrimitive.long } shouldBe
                    history.map { it.getValue("dataUpdatedAt").jsonPrimitive.long }.sorted()
                devtools.call("/api/query?key=" + enc("[\"missing\"]")).status shouldBe 404
                devtools.call("/api/query").status shouldBe 400
            }
        }
    }

    test("mutations and stats are listed") {
        withClient { client ->
            withDevtools(client) { devtools ->
                val mutation = client.mutation(MutationOptions<String, String, Unit>(mutationFn = { "saved $it" }))
                mutation.mutate("draft")
                client.fetchQuery(QueryOptions(queryKey("a"), queryFn = { 1 }))
                val runs = devtools.get("/api/mutations").getValue("mutations").jsonArray.map { it.jsonObject }
                runs.size shouldBe 1
                runs[0].prim("status") shouldBe "SUCCESS"
                runs[0].prim("variables") shouldBe "draft"
                runs[0].prim("failureCount") shouldBe "0"
                (runs[0].getValue("submittedAt").jsonPrimitive.long > 0) shouldBe true
                val stats = devtools.get("/api/stats")
                stats.getValue("stats").jsonObject.prim("fetches") shouldBe "1"
                stats.getValue("stats").jsonObject.prim("misses") shouldBe "1"
                stats.prim("queryCount") shouldBe "1"
                stats.prim("storageStats") shouldBe "null"
            }
        }
    }

    test("the page, its script and its style are served, the token written into the page's addresses") {
        withClient { client ->
            withDevtools(client) { devtools ->
                devtools.url shouldStartWith "http://127.0.0.1:${devtools.port}/?token="
                val page = devtools.call("/")
                page.status shouldBe 200
                page.body shouldContain "devtools.js?token=${devtools.token}"
                devtools.call("/devtools.js").body shouldContain "EventSource"
                devtools.call("/devtools.css").status shouldBe 200
                devtools.call("/nothing").status shouldBe 404
                devtools.call("/api/queries", method = "POST").status shouldBe 405
                devtools.call("/api/invalidate?key=" + enc("[]")).status shouldBe 405
            }
        }
    }
})
