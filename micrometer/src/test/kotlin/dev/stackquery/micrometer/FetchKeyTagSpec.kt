package dev.stackquery.micrometer

import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.runTest

class FetchKeyTagSpec : FunSpec({

    test("without key tags the fetch timer has only reason and outcome") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            client.fetchQuery(QueryOptions(queryKey("user", 1), { "u1" }))
            registry.get("stackquery.fetch.duration").timer().id.tags.map { it.key } shouldBe
                listOf("outcome", "reason")
            metrics.close()
            client.close()
        }
    }

    test("key tags take the first segments, and past maxKeyTagValues distinct prefixes the rest are other") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val options = StackQueryMetricsOptions(keyTagSegments = 1, maxKeyTagValues = 2)
            val metrics = StackQueryMetrics(client, options).also { it.bindTo(registry) }
            val keys = listOf(
                queryKey("user", 1),
                queryKey("user", 2),
                queryKey("post", 1),
                queryKey("comment", 1),
                queryKey("user"),
                queryKey("tag", 1),
            )
            for (key in keys) client.fetchQuery(QueryOptions(key, { "x" }))
            registry.fetchTimers() shouldBe mapOf(
                "fetch/success/[\"user\"]" to "3 x 0 ms",
                "fetch/success/[\"post\"]" to "1 x 0 ms",
                "fetch/success/other" to "2 x 0 ms",
            )
            metrics.close()
            client.close()
        }
    }

    test("a key shorter than keyTagSegments is its own tag") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry, StackQueryMetricsOptions(keyTagSegments = 2))
            client.fetchQuery(QueryOptions(queryKey("user"), { "x" }))
            client.fetchQuery(QueryOptions(queryKey("user", 7, "posts"), { "x" }))
            registry.fetchTimers().keys shouldBe setOf("fetch/success/[\"user\"]", "fetch/success/[\"user\",7]")
            metrics.close()
            client.close()
        }
    }
})
