package dev.stackquery

import io.kotest.assertions.throwables.shouldThrowAny
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.seconds

class DeclinedUpdateSpec : FunSpec({
    val key = queryKey("todos")

    test("an updater that declines on a missing key creates no query and returns null") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            val result = client.setQueryData<List<String>>(key) { old -> old?.plus("milk") ?: QueryClient.noChange() }
            result shouldBe null
            client.getQueryState<List<String>>(key) shouldBe null
            events shouldBe emptyList()
            client.close()
        }
    }

    test("an updater that declines leaves the state instance, emits nothing and notifies no observer") {
        runTest {
            val client = testClient(staleTime = 60.seconds)
            client.setQueryData(key, listOf("eggs"))
            val before = client.getQueryState<List<String>>(key)!!
            val observer = client.watch(QueryOptions(key, queryFn = { listOf("server") }))
            val seen = mutableListOf<List<String>?>()
            val subscription = observer.subscribe { seen += it.data }
            settle()
            val events = recordEvents(client)
            val result = client.setQueryData<List<String>>(key) { old ->
                if (old ==
                    listOf("eggs")
                ) {
                    QueryClient.noChange()
                } else {
                    listOf("x")
                }
            }
            settle()
            result shouldBe listOf("eggs")
            client.getQueryState<List<String>>(key)!! shouldBeSameInstanceAs before
            events shouldBe emptyList()
            seen shouldBe listOf(listOf("eggs"))
            subscription.close()
            client.close()
        }
    }

    test(
        "noChange() declines through a catch of Exception inside the updater, and fails with a clear message outside one",
    ) {
        runTest {
            val client = testClient()
            client.setQueryData<String>(key) {
                try {
                    QueryClient.noChange()
                } catch (e: Exception) {
                    "swallowed"
                }
            } shouldBe null
            client.getQueryState<String>(key) shouldBe null
            shouldThrowAny { QueryClient.noChange<String>() }.message shouldBe
                "QueryClient.noChange() was called outside a setQueryData updater"
            client.close()
        }
    }

    test("setQueriesData lists only the queries whose updater wrote, and leaves the declined ones as they were") {
        runTest {
            val client = testClient()
            client.setQueryData(queryKey("todos", 1), 1)
            client.setQueryData(queryKey("todos", 2), 2)
            client.setQueryData(queryKey("todos", 3), 3)
            val before = client.getQueryState<Int>(queryKey("todos", 2))!!
            val written = client.setQueriesData<Int>(queryKey("todos")) { old ->
                if (old ==
                    2
                ) {
                    QueryClient.noChange()
                } else {
                    old!! * 10
                }
            }
            written shouldBe mapOf(queryKey("todos", 1) to 10, queryKey("todos", 3) to 30)
            client.getQueryState<Int>(queryKey("todos", 2))!! shouldBeSameInstanceAs before
            client.close()
        }
    }

    test(
        "a declined optimistic update on a key with no data leaves it to be fetched, instead of caching null as fresh",
    ) {
        runTest {
            val client = testClient(staleTime = 60.seconds)
            client.setQueryData<List<String>>(key) { old -> old?.plus("milk") ?: QueryClient.noChange() }
            client.fetchQuery(QueryOptions(key, queryFn = { listOf("server") })) shouldBe listOf("server")
            client.close()
        }
    }
})
