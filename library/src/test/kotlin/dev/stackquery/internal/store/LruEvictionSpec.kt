package dev.stackquery.internal.store

import dev.stackquery.FetchReason
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.addObserver
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.client.ClientRuntime
import dev.stackquery.internal.query.Query
import dev.stackquery.queryKey
import dev.stackquery.removeObserver
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest

/** The store's side of [LruEviction], by hand: queries by key; evicting removes the one [LruEviction.next] picks. */
private class FakeStore(val host: FakeQueryHost = FakeQueryHost()) {
    val map = LinkedHashMap<QueryKey, Query<*>>()
    val eviction = LruEviction({ map.values }, { map[it.key] === it })

    init {
        host.inactiveListener = eviction::onBecameInactive
    }

    fun add(name: Any, lastAccess: Long): Query<Any?> = host.query(queryKey(name), lastAccess).also { map[it.key] = it }

    /** Removes and returns the name of the query [LruEviction.next] picks, or `null`. */
    fun evict(): String? = eviction.next()?.let { map.remove(it.key); it.key[0].toString() }

    fun evictAll(): List<String> = generateSequence { evict() }.toList()
}

/** A real [QueryStore] of [cacheMaxSize] on a hand-driven clock ([now]); no L2 tier. */
private class StoreOnClock(cacheMaxSize: Int, scope: TestScope? = null) {
    var now = 0L
    val config = QueryClientConfig(
        cacheMaxSize = cacheMaxSize,
        clock = QueryClock { now },
        coroutineContext = scope?.let { StandardTestDispatcher(it.testScheduler) } ?: StandardTestDispatcher(),
    )
    val store = QueryStore(ClientRuntime(config), null)

    fun create(name: Any): Query<String> = store.getOrCreate(queryKey(name), QueryOptions(queryKey(name), { "v" }))

    fun names(): List<String> = store.find(QueryFilter.prefix(QueryKey.EMPTY)).map { it.key[0].toString() }.sorted()
}

class LruEvictionSpec : FunSpec({
    test("picks inactive queries least recently used first, then none") {
        val store = FakeStore()
        store.add("c", lastAccess = 30)
        store.add("a", lastAccess = 10)
        store.add("b", lastAccess = 20)
        store.evictAll() shouldBe listOf("a", "b", "c")
        store.eviction.next() shouldBe null
    }

    test("equal access times go oldest created first") {
        val store = FakeStore()
        for (name in listOf("first", "second", "third")) store.add(name, lastAccess = 7)
        store.add("older", lastAccess = 6)
        store.evictAll() shouldBe listOf("older", "first", "second", "third")
    }

    test("never picks an observed query, even the least recently used one") {
        val store = FakeStore()
        val observed = store.add("observed", lastAccess = 1)
        observed.addObserver() shouldBe true
        store.add("x", lastAccess = 2)
        store.add("y", lastAccess = 3)
        store.evictAll() shouldBe listOf("x", "y")
        store.map.keys.single() shouldBe queryKey("observed")
    }

    test("skips a candidate observed, used or removed after the scan") {
        val store = FakeStore()
        val a = store.add("a", lastAccess = 1)
        val b = store.add("b", lastAccess = 2)
        val c = store.add("c", lastAccess = 3)
        store.add("d", lastAccess = 4)
        store.evict() shouldBe "a" // the scan: b, c and d are now candidates
        b.addObserver() shouldBe true // activated
        c.touch(100) // used
        store.map.remove(queryKey("d")) // removed by someone else
        store.add("d", lastAccess = 0) // ...and a newer query of that key, which the scan never saw
        store.evict() shouldBe "d" // after a rescan: the candidates ran out
        store.evict() shouldBe "c"
        store.evict() shouldBe null
        a.isRemoved shouldBe false // the fake store removes from its map only
    }

    test("a query older than the candidates becoming inactive is picked first (rescan)") {
        val store = FakeStore()
        val old = store.add("old", lastAccess = 0)
        old.addObserver() shouldBe true // active during the scan: not a candidate
        for (i in 1..20) store.add(i, lastAccess = i.toLong()) // 21 queries: 8 candidates, accessed 1..8
        store.evict() shouldBe "1"
        store.eviction.scans shouldBe 1
        old.removeObserver() // inactive again, older than the newest candidate: the host tells the eviction
        store.host.becameInactive shouldBe listOf(old)
        store.evict() shouldBe "old"
        store.eviction.scans shouldBe 2
        store.evict() shouldBe "2"
    }

    test("a query newer than every candidate becoming inactive costs no rescan") {
        val store = FakeStore()
        val recent = store.add("recent", lastAccess = 50)
        recent.addObserver() shouldBe true
        for (i in 1..20) store.add(i, lastAccess = i.toLong()) // candidates accessed 1..8
        store.evict() shouldBe "1"
        recent.removeObserver()
        store.evict() shouldBe "2"
        store.eviction.scans shouldBe 1
    }

    test("clear drops the candidates: the next pick scans again") {
        val store = FakeStore()
        for (i in 1..3) store.add(i, lastAccess = i.toLong())
        store.evict() shouldBe "1"
        store.eviction.clear()
        store.add("older", lastAccess = 0)
        store.evict() shouldBe "older"
        store.eviction.scans shouldBe 2
    }

    test("one scan serves size / 16 evictions (at least 8)") {
        val store = FakeStore()
        for (i in 0 until 1_600) store.add(i, lastAccess = i.toLong())
        val evicted = (0 until 100).map { store.evict() }
        evicted shouldBe (0 until 100).map { it.toString() }
        store.eviction.scans shouldBe 1 // 1,600 / 16 = 100 candidates
        store.evict() shouldBe "100"
        store.eviction.scans shouldBe 2

        val small = FakeStore()
        for (i in 0 until 20) small.add(i, lastAccess = i.toLong())
        repeat(8) { small.evict() }
        small.eviction.scans shouldBe 1 // 20 / 16 < 8: the floor of 8
        small.evict() shouldBe "8"
        small.eviction.scans shouldBe 2
    }

    test("with nothing inactive, a pick scans once and finds nothing") {
        val store = FakeStore()
        store.add("a", lastAccess = 1).addObserver() shouldBe true
        store.eviction.next() shouldBe null
        store.eviction.scans shouldBe 1
        FakeStore().eviction.next() shouldBe null // an empty store
    }

    test("the store evicts the least recently used inactive queries beyond cacheMaxSize") {
        val s = StoreOnClock(cacheMaxSize = 3)
        s.now = 1
        s.create("a")
        s.now = 2
        s.create("b")
        s.now = 3
        s.create("c")
        s.now = 4
        s.store.get<String>(queryKey("a"))!!.touch(s.now) // a used again: b is now the least recent
        s.create("d")
        s.names() shouldBe listOf("a", "c", "d")
        s.store.size shouldBe 3
        s.store.evictionScans shouldBe 1
        s.create("e")
        s.names() shouldBe listOf("a", "d", "e")
    }

    test("the store never evicts an observed or a fetching query; the cache grows past its size instead") {
        runTest {
            val s = StoreOnClock(cacheMaxSize = 2, scope = this)
            val gate = CompletableDeferred<String>()
            s.now = 1
            val observed = s.create("observed")
            observed.addObserver() shouldBe true
            s.now = 2
            val fetching = s.store.getOrCreate(
                queryKey("fetching"),
                QueryOptions(queryKey("fetching"), {
                    gate.await()
                }),
            )
            val options = ResolvedOptions.resolve(QueryOptions(queryKey("fetching"), { gate.await() }), s.config)
            fetching.fetch(options, FetchReason.FETCH)
            fetching.isInactive shouldBe false
            s.now = 3
            s.create("new")
            s.names() shouldBe listOf("fetching", "new", "observed") // nothing could go
            s.now = 4
            s.create("newer") // "new", the only inactive one, goes
            s.names() shouldBe listOf("fetching", "newer", "observed")

            gate.complete("done")
            runCurrent() // the fetch settles: "fetching" is inactive, older than "newer"
            fetching.isInactive shouldBe true
            s.now = 5
            s.create("newest") // 3 cached, 2 allowed: both inactive ones go to make room for one
            s.names() shouldBe listOf("newest", "observed")
            s.store.clear(RemovalCause.EXPLICIT)
        }
    }

    test("the store's scans stay rare: 500 evictions from a full cache of 1,000 cost 9 scans") {
        val s = StoreOnClock(cacheMaxSize = 1_000)
        for (i in 0 until 1_500) {
            s.now = i.toLong()
            s.create(i)
        }
        s.store.size shouldBe 1_000
        s.names() shouldBe (500 until 1_500).map { it.toString() }.sorted()
        s.store.evictionScans shouldBe 9 // 1,000 / 16 = 62 candidates a scan; 500 / 62 rounds up to 9
    }

    test("the query the store evicts is the instance the eviction picked") {
        val store = FakeStore()
        val only = store.add("only", lastAccess = 1)
        store.eviction.next() shouldBeSameInstanceAs only
    }
})
