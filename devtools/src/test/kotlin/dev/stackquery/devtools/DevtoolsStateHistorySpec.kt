package dev.stackquery.devtools

import dev.stackquery.QueryClient
import dev.stackquery.devtools.internal.StateHistory
import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

class DevtoolsStateHistorySpec : FunSpec({
    val state = QueryClient().use { client ->
        client.setQueryData(queryKey("x"), 1)
        client.getQueryState<Int>(queryKey("x"))!!
    }

    test("a ring keeps the last size changes of its key, oldest first, and drop forgets them") {
        val history = StateHistory(2) { true }
        for (at in 1L..3L) history.record(queryKey("a"), state, at)
        history.record(queryKey("b"), state, 9)
        history.of(queryKey("a")).map { it.at } shouldBe listOf(2L, 3L)
        history.of(queryKey("b")).map { it.at } shouldBe listOf(9L)
        history.drop(queryKey("a"))
        history.of(queryKey("a")) shouldBe emptyList()
    }

    test("past MAX_TRACKED_KEYS rings, those of keys no longer cached are pruned") {
        val cached = setOf(queryKey("k", 0), queryKey("k", 1))
        val history = StateHistory(1) { it in cached }
        for (i in 0 until StateHistory.MAX_TRACKED_KEYS) history.record(queryKey("k", i), state, i.toLong())
        history.of(queryKey("k", 0)).size shouldBe 1
        history.of(queryKey("k", 1)).size shouldBe 1
        history.of(queryKey("k", 2)) shouldBe emptyList()
        history.of(queryKey("k", StateHistory.MAX_TRACKED_KEYS - 1)).size shouldBe 1
    }
})
