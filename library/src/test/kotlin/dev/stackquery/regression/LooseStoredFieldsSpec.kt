package dev.stackquery.regression

import dev.stackquery.persistentClient
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.InMemoryStorage
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.minutes

/**
 * Issue 23, defect 9: stored fields were read too loosely. An entry whose `dataUpdatedAt` lay in
 * the future (another machine's clock ahead) stayed fresh until then; `"invalidated":"yes"` read
 * as `false`.
 */
class LooseStoredFieldsSpec : FunSpec({
    val key = queryKey("user", 1)
    val storageKey = "stackquery:$key"

    test("an entry from the future ages from now: stale after staleTime, not fresh until its date") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val future = testScheduler.currentTime + 1.days.inWholeMilliseconds
            storage.set(storageKey, """{"v":1,"data":"stored","dataUpdatedAt":$future,"invalidated":false}""", null)
            val client = persistentClient(storage, staleTime = 1.minutes)
            var calls = 0
            val options = queryOptions(key, queryFn = { calls++; "fetched" })
            client.fetchQuery(options) shouldBe "stored"
            client.getQueryState<String>(key)!!.dataUpdatedAt shouldBe testScheduler.currentTime
            advanceTimeBy(2.minutes)
            client.fetchQuery(options) shouldBe "stored" // stale: served, and refetched in the background
            runCurrent()
            calls shouldBe 1
            client.getQueryData<String>(key) shouldBe "fetched"
            client.close()
        }
    }

    test("an invalidated flag that is not a boolean makes the entry corrupt: counted, deleted, refetched") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            storage.set(storageKey, """{"v":1,"data":"stored","dataUpdatedAt":0,"invalidated":"yes"}""", null)
            val client = persistentClient(storage, staleTime = 1.minutes)
            client.fetchQuery(queryOptions(key, queryFn = { "fetched" })) shouldBe "fetched"
            client.flush()
            client.storageStats()!!.corrupt shouldBe 1
            storage.get(storageKey)!!.contains("\"fetched\"") shouldBe true
            client.close()
        }
    }
})
