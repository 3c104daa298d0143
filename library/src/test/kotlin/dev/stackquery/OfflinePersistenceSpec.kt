package dev.stackquery

import dev.stackquery.storage.InMemoryStorage
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.minutes

/** The L2 tier while offline: a paused fetch still reads it, and a caller waiting through the read stays counted. */
class OfflinePersistenceSpec : FunSpec({
    val key = queryKey("user", 1)
    val ann = User(1, "Ann")

    test(
        "offline, a cold fetchQuery with nothing persisted waits through the storage read and the pause, then fetches",
    ) {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = persistentClient(InMemoryStorage { testScheduler.currentTime }, onlineManager = online)
            val fetcher = FakeFetcher { ann }
            val caller = async { client.fetchQuery(queryOptions(key, queryFn = { fetcher() })) }
            settle(1.hours)
            caller.isActive shouldBe true // not cancelled as "nobody waits" after its storage read
            client.getQueryState<User>(key)!!.brief() shouldBe "PENDING/PAUSED/null/0"
            online.setOnline(true)
            settle()
            caller.await() shouldBe ann
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test(
        "offline, fresh persisted data answers a cold fetchQuery without pausing; stale data answers it, its refetch dropped",
    ) {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val writer = persistentClient(storage)
            writer.fetchQuery(queryOptions(key, queryFn = { ann }))
            writer.flush()
            writer.close()

            val online = OnlineManager.manual(online = false)
            val fresh = persistentClient(storage, onlineManager = online)
            val fetcher = FakeFetcher { User(1, "Ann (new)") }
            fresh.fetchQuery(queryOptions(key, queryFn = { fetcher() })) shouldBe ann
            fresh.getQueryState<User>(key)!!.brief() shouldBe "SUCCESS/IDLE/User(id=1, name=Ann)/0"
            fresh.close()

            settle(2.minutes) // the persisted data is stale now
            val stale = persistentClient(storage, onlineManager = online)
            stale.fetchQuery(queryOptions(key, queryFn = { fetcher() })) shouldBe ann
            runCurrent()
            stale.getQueryState<User>(key)!!.brief() shouldBe "SUCCESS/IDLE/User(id=1, name=Ann)/0"
            online.setOnline(true)
            settle(1.hours)
            fetcher.calls shouldBe 0 // nobody wanted the refetch: it was dropped, not run later
            stale.close()
        }
    }
})
