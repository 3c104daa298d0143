package dev.stackquery.benchmarks.report

/**
 * A contender as the report names it, and where its figure is: the result of the row's benchmark
 * whose parameter has the value [param], or, when [benchmark] is set, the result of that
 * `Class.method` ([param] `null`: a method of its own, with no parameter).
 */
class Contender(val label: String, val param: String?, val benchmark: String? = null) {
    init {
        require(param != null || benchmark != null) { "contender $label: a parameter value or a benchmark of its own" }
    }
}

/**
 * One line of the report: StackQuery's figure for one case next to its peers' from the same run.
 * Every figure is lower-is-better (time, bytes, calls); a time per item can also be shown as a
 * rate ([rateUnit]).
 */
class Row(
    /** What the line measures, for example "1 thread". */
    val case: String,
    /** `Class.method` of the JMH benchmark. */
    val benchmark: String,
    /** The unit shown (JMH's is converted: `us/op` → `µs/op`, counters get this label). */
    val unit: String,
    val stackQuery: Contender,
    val caffeine: Contender? = null,
    /** The floor with fewer features: a plain `ConcurrentHashMap` or `StateFlow`. */
    val baseline: Contender? = null,
    /** A secondary metric of the benchmark (an `@AuxCounters` field or a profiler's); `null` for the score. */
    val metric: String? = null,
    /** The JMH parameter that selects the contender. */
    val param: String = "contender",
    /** Figures below this are shown as "≈ 0" and get no ratio (allocation rates that escape analysis removed). */
    val floor: Double = 0.0,
    /** Whether the line gets bars in the chart. */
    val chart: Boolean = true,
    /**
     * A line that measures a variant of StackQuery to explain a gap (not a configuration to use):
     * it is never listed as a loss.
     */
    val experiment: Boolean = false,
    /**
     * A line shown for context, where StackQuery does by design more work than the peer (its
     * observers are meant to be woken, the peer's are not): a configuration to use, but not a
     * like-for-like comparison, so, like an experiment, it is never listed as a loss or a win.
     */
    val context: Boolean = false,
    /** Why StackQuery loses on this line and what would fix it, when it differs from the section's text. */
    val whyLoses: String? = null,
    /**
     * When set (for example `"rows/s"`), each figure, a time per item in [unit] (`ns/…`, `µs/…`,
     * `ms/…` or `s/…`), is also shown as items per second in this unit.
     */
    val rateUnit: String? = null,
) {
    private val unitsPerSecond: Double? = when (unit.substringBefore('/')) {
        "ns" -> 1e9
        "µs" -> 1e6
        "ms" -> 1e3
        "s" -> 1.0
        else -> null
    }

    init {
        require(rateUnit == null || (unitsPerSecond != null && '/' in unit)) {
            "row $case: a rate needs a time per item, not $unit"
        }
        require(!(experiment && context)) { "row $case: an experiment or context, not both" }
    }

    /** Whether the line counts as a win or a loss of StackQuery: neither an experiment nor context. */
    val compared: Boolean get() = !experiment && !context

    /** [figure] as a rate in [rateUnit]; `null` without a rate unit or a positive figure. */
    fun rate(figure: Figure?): Double? {
        val perSecond = unitsPerSecond ?: return null
        if (rateUnit == null || figure == null || figure.mean <= 0.0) return null
        return perSecond / figure.mean
    }
}

/** A figure not compared with anything, shown to explain the others (e.g. the cost of a clock read). */
class Reference(val label: String, val benchmark: String, val unit: String)

/** A column of a [ContenderTable]: the score ([metric] `null`) or a secondary metric, in [unit]. */
class TableColumn(
    /** The column's heading, for example "µs/op" or "Allocated, B/op". */
    val header: String,
    val unit: String,
    val metric: String? = null,
    /** Figures below this are shown as "≈ 0" and get no ratio, as on a [Row]. */
    val floor: Double = 0.0,
)

/**
 * The figures of a section as one table: a line per contender of [benchmark] (selected by its
 * [param]), a column per metric, and the ratio of each line's first column to [ratioTo]'s (bold
 * where StackQuery's figure is higher by more than the two errors). Shown in the section instead
 * of its rows' lines; the rows still make the summary, the losses and the chart.
 */
class ContenderTable(
    val benchmark: String,
    val lines: List<Contender>,
    val columns: List<TableColumn>,
    /** The line the ratios are to (one of [lines]), usually the floor. */
    val ratioTo: Contender,
    /** The ratio column's heading, for example "StackQuery / StateFlow". */
    val ratioHeader: String,
    val param: String = "contender",
) {
    init {
        require(ratioTo in lines) { "table of $benchmark: the ratios are to one of its lines" }
        require(columns.isNotEmpty()) { "table of $benchmark: at least one column" }
    }
}

/** What [Section.findings] can read: the run's figures. */
class FindingsInput(private val index: ResultIndex) {
    /** The figure of `Class.method` [benchmark] with [param] = [value] ([metric] `null`: the score). */
    fun figure(benchmark: String, value: String?, metric: String? = null, param: String = "contender"): Figure? =
        index.figure(benchmark, value?.let { param }, value, metric)
}

/** One numbered benchmark of the report. */
class Section(
    val number: Int,
    val title: String,
    /** What is measured and how, in Markdown. */
    val what: String,
    val rows: List<Row>,
    /** Why StackQuery loses and what would fix it; shown when it loses a line. */
    val whyLoses: String,
    /** Why StackQuery wins; shown when it wins a line. */
    val whyWins: String,
    val references: List<Reference> = emptyList(),
    /** A benchmark announced but not written yet: the report shows its place and no figures. */
    val pending: Boolean = false,
    /** The section's figures as one table, instead of one line per row. */
    val table: ContenderTable? = null,
    /**
     * What the numbers say, computed from them: Markdown list items (without the `- `), shown after
     * the figures; each must be true for whatever figures come out (it may check them first).
     */
    val findings: (FindingsInput) -> List<String> = { emptyList() },
)

private val stackQuery = Contender("StackQuery", "StackQuery")
private val caffeine = Contender("Caffeine", "Caffeine")
private val concurrentHashMap = Contender("ConcurrentHashMap", "ConcurrentHashMap")
private val stackQueryCoarseClock = Contender("StackQuery, coarse clock", "StackQuery-coarseClock")
private val seedRecipe = Contender("seed recipe", null, benchmark = "WriteBehindBenchmark.seedConnectionPerWrite")
private val stateFlow = Contender("StateFlow", "StateFlow")

private const val EQUAL_REFETCH = "EqualRefetchFanOutBenchmark.refetch"

/** `EqualRefetchFanOutBenchmark.OBSERVERS`. */
private const val EQUAL_REFETCH_OBSERVERS = 10_000

/** The smallest Java object (a header and no field, 64-bit JVM with compressed class pointers). */
private const val SMALLEST_OBJECT_BYTES = 16
private val dataOnly = Contender("StackQuery, DATA only", "StackQuery")
private val allFields = Contender("StackQuery, all fields", "StackQuery-allFields")
private val noObservers = Contender("StackQuery, no observers", "StackQuery-noObservers")
private val equalRefetchFloor = Contender("StateFlow (floor)", "StateFlow")

/** The benchmarks of the report, in order. */
val SECTIONS: List<Section> = listOf(
    Section(
        number = 1,
        title = "Fresh-hit read",
        what = """
            One read of a cached, fresh entry; the keys (`QueryKey.of("item", i)`, 1,024 of them) are
            read round-robin from a random start per thread, by 1 and by 2 threads (time per read per
            thread). **StackQuery**: the suspend `QueryClient.fetchQuery(options)`, called without a
            coroutine through one reusable continuation (`startCoroutineUninterceptedOrReturn`; a fresh
            hit returns without suspending, and the benchmark fails if it ever suspends); infinite
            `staleTime` and `gcTime`, `cacheMaxSize` 10,000. **Caffeine**: `Cache.getIfPresent(key)` on
            `maximumSize(10_000)`. **ConcurrentHashMap**: `get(key)`, the floor. The same key and value
            objects for all three. The *coarse clock* lines are an experiment, not a configuration to
            use: the same StackQuery client with a `QueryClock` that is a volatile read instead of
            `System.currentTimeMillis()`, so their distance to the first two lines is what the clock
            read costs a hit here. The allocation line comes from JMH's `-prof gc`.
        """.trimIndent(),
        rows = listOf(
            Row("1 thread", "FreshHitBenchmark.read1Thread", "ns/op", stackQuery, caffeine, concurrentHashMap),
            Row("2 threads", "FreshHitBenchmark.read2Threads", "ns/op", stackQuery, caffeine, concurrentHashMap),
            Row(
                "1 thread, experiment: coarse clock",
                "FreshHitBenchmark.read1Thread",
                "ns/op",
                stackQueryCoarseClock,
                caffeine,
                concurrentHashMap,
                experiment = true,
            ),
            Row(
                "2 threads, experiment: coarse clock",
                "FreshHitBenchmark.read2Threads",
                "ns/op",
                stackQueryCoarseClock,
                caffeine,
                concurrentHashMap,
                experiment = true,
            ),
            Row(
                "allocated per read, 1 thread", "FreshHitBenchmark.read1Thread", "B/op", stackQuery, caffeine,
                concurrentHashMap, metric = "gc.alloc.rate.norm", floor = 0.5, chart = false,
            ),
        ),
        whyLoses = """
            A StackQuery fresh hit is more than a map lookup. After `ConcurrentHashMap.get` it reads the
            query's state (a volatile read), reads the clock (`QueryClock.SYSTEM`, that is
            `System.currentTimeMillis()`) to decide staleness and to record the access for LRU eviction,
            writes the access time when the millisecond changed, and counts the hit in a `LongAdder`; it
            allocates nothing (see the allocation line). A Caffeine cache without expiry reads no clock
            and records accesses in a lossy striped buffer. The coarse-clock lines show how much of the
            gap is the clock read, and the reference line what one clock read costs alone on this
            machine (far more in some VMs than the few ns of a vDSO TSC clock on bare metal).
            **What would fix it:** skip the clock read when the effective `staleTime` is infinite and the
            query is not invalidated (staleness cannot change with time then), and take access times for
            eviction from a coarse ticker (a millisecond counter advanced by the client's scheduler)
            instead of the clock; what remains after that (the coarse-clock lines) is the state read, the
            access-time write and the hit counter, which with two threads also contend on shared cache
            lines; recording hits per thread and accesses in a lossy buffer, as Caffeine does, would cut
            that too.
        """.trimIndent(),
        whyWins = """
            StackQuery's fresh hit is lock-free and allocation-free: a map lookup, a volatile read of the
            query's state, a staleness check and a hit counter.
        """.trimIndent(),
        references = listOf(
            Reference(
                "one `System.currentTimeMillis()` (the clock a fresh hit reads)",
                "ClockReadBenchmark.currentTimeMillis",
                "ns/op",
            ),
        ),
    ),
    Section(
        number = 2,
        title = "Java facade fresh hit",
        what = """
            The same fresh hit as a Java caller writes it, 1,024 keys, 1 and 2 threads. **StackQuery**:
            `FutureQueryClient.of(client).fetchQuery(options).join()` (the facade made once, as an
            application keeps it). **Caffeine**: `AsyncLoadingCache.get(key).join()` on
            `maximumSize(10_000)`. The allocation lines come from JMH's `-prof gc`.
        """.trimIndent(),
        rows = listOf(
            Row("1 thread", "FacadeFreshHitBenchmark.join1Thread", "ns/op", stackQuery, caffeine),
            Row("2 threads", "FacadeFreshHitBenchmark.join2Threads", "ns/op", stackQuery, caffeine),
            Row(
                "allocated per read, 1 thread",
                "FacadeFreshHitBenchmark.join1Thread",
                "B/op",
                stackQuery,
                caffeine,
                metric = "gc.alloc.rate.norm",
                floor = 0.5,
                chart = false,
            ),
        ),
        whyLoses = """
            The facade's fresh hit is benchmark 1's fresh hit (clock read included) wrapped in
            `CompletableFuture.completedFuture`; Caffeine's async cache returns the future it stores. The
            allocation line shows whether the JIT removed StackQuery's future (escape analysis usually
            does, since `join()` is inlined). **What would fix it:** the clock fix of benchmark 1 first;
            if the future is not scalar-replaced in real call sites, keep one completed future with each
            data version of the query and return it on hits, as Caffeine does (a shared future can be
            `obtrudeValue`d by one caller for all, a risk Caffeine accepts).
        """.trimIndent(),
        whyWins = """
            A fresh hit through the facade needs no coroutine: `FutureQueryClient` reads the fresh data
            directly and returns an already completed future.
        """.trimIndent(),
    ),
    Section(
        number = 3,
        title = "Cold-key stampede",
        what = """
            10,000 coroutines on `Dispatchers.Default` wait at a gate, then all ask for one cold key at
            once; the loader completes 10 ms later (the same loader for both: a `CompletableFuture` on the
            JDK's delayed executor, counting its calls). Single-shot: the wall time from opening the gate
            until every caller has the value (ideal: just over 10 ms), and how many times the loader ran
            per stampede (ideal: 1); a new key for every stampede. **StackQuery**: each caller runs
            `client.fetchQuery(options)`, the query function awaits the loader, `staleTime` 1 hour (the
            loaded value stays fresh, as in a Caffeine cache without expiry). **Caffeine**: each caller
            runs `cache.get(key).await()` on an `AsyncLoadingCache` whose `AsyncCacheLoader` is the
            loader. The last two lines run StackQuery with its default `staleTime` of 0 instead.
        """.trimIndent(),
        rows = listOf(
            Row("wall time", "StampedeBenchmark.stampede", "ms", stackQuery, caffeine),
            Row(
                "loader calls per stampede",
                "StampedeBenchmark.stampede",
                "calls",
                stackQuery,
                caffeine,
                metric = "loaderCalls",
            ),
            Row(
                "wall time, default staleTime 0",
                "StampedeBenchmark.stampede",
                "ms",
                Contender("StackQuery, staleTime 0", "StackQuery-staleTime0"),
                caffeine,
            ),
            Row(
                "loader calls per stampede, default staleTime 0",
                "StampedeBenchmark.stampede",
                "calls",
                Contender("StackQuery, staleTime 0", "StackQuery-staleTime0"),
                caffeine,
                metric = "loaderCalls",
                whyLoses = """
                    With the default `staleTime` of 0 the loaded value is stale as soon as it lands, so the
                    callers that get through only after the load settled are served it at once and the
                    first of them starts a background revalidation (itself deduplicated): more loader
                    calls by design (stale-while-revalidate), not a deduplication failure; Caffeine without
                    `refreshAfterWrite` never revalidates. **What would fix it** for a caller who wants
                    one load per burst: a `staleTime` longer than the burst, as in the first two lines.
                """.trimIndent(),
            ),
        ),
        whyLoses = """
            Most of the wall time is not the 10 ms load but scheduling and resuming 10,000 coroutines on
            two cores, which both contenders pay. Where StackQuery's cold path costs more per caller
            than Caffeine's `computeIfAbsent` returning one shared future, the likely cause (not
            profiled) is that each caller misses the lock-free fresh path, then takes the query's
            monitor to find the fetch in flight, then suspends on the shared `Deferred`. **What would
            fix it:** let callers that arrive while a fetch is in flight join it from a volatile field
            without taking the monitor.
        """.trimIndent(),
        whyWins = """
            Concurrent requests for one key share one execution of the query function, and callers are
            resumed as soon as it settles.
        """.trimIndent(),
    ),
    Section(
        number = 4,
        title = "Prefix invalidation",
        what = """
            1,000,000 cached keys `["todo", g, i]` (1,000 groups of 1,000), and one operation on the
            1,000 keys under the prefix `["todo", 500]`. Before each operation (not timed) those 1,000
            entries are written again, so every operation finds them valid. **StackQuery
            invalidateQueries**: `client.invalidateQueries(prefix)` marks them stale (none is observed,
            so nothing refetches; called without a coroutine like benchmark 1). **StackQuery
            removeQueries**: `client.removeQueries(prefix)` drops them. **Caffeine**:
            `cache.asMap().keySet().removeIf(k -> k.startsWith(prefix))`, the way to drop a prefix from a
            cache that knows nothing of key structure. `cacheMaxSize` and `maximumSize` 2,000,000,
            infinite `staleTime` and `gcTime`.
        """.trimIndent(),
        rows = listOf(
            Row(
                "invalidateQueries vs removeIf",
                "PrefixInvalidationBenchmark.run",
                "µs/op",
                Contender("StackQuery invalidateQueries", "StackQuery.invalidateQueries"),
                Contender("Caffeine removeIf", "Caffeine.removeIf"),
                param = "operation",
            ),
            Row(
                "removeQueries vs removeIf",
                "PrefixInvalidationBenchmark.run",
                "µs/op",
                Contender("StackQuery removeQueries", "StackQuery.removeQueries"),
                Contender("Caffeine removeIf", "Caffeine.removeIf"),
                param = "operation",
            ),
        ),
        whyLoses = """
            A prefix operation should cost in proportion to the keys it matches; if StackQuery loses
            here, the segment trie (`KeyIndex`) or the per-query work has regressed. `removeQueries`
            costs more per key than `invalidateQueries`: it takes the cache lock once per query and
            unlinks each from the map, the trie and the gc heap; batching the removals under one lock
            acquisition would cut that.
        """.trimIndent(),
        whyWins = """
            StackQuery indexes keys in a trie of segments, so a prefix operation visits only the 1,000
            matching queries, whatever the size of the cache; Caffeine has to test all 1,000,000 keys.
            `invalidateQueries` only replaces each state with an invalidated copy; `removeQueries` also
            unlinks each query from the map, the trie and the gc heap.
        """.trimIndent(),
    ),
    Section(
        number = 5,
        title = "Observer fan-out",
        what = """
            10,000 coroutines on `Dispatchers.Default` collect a `StateFlow`; the time from one write
            until every collector has seen the new value. **StackQuery**: each collector has its own
            observer of one key, `client.watch(options).state` (as 10,000 screens or components would);
            the write is `client.setQueryData(key, n)`. **StateFlow**: all collectors collect one plain
            `MutableStateFlow` and the write is `flow.value = n`: the cost of waking 10,000 coroutines
            with no cache around it, the floor. Caffeine has no observers, so it has no line here.
        """.trimIndent(),
        rows = listOf(
            Row(
                "publish to 10,000 collectors",
                "FanOutBenchmark.publish",
                "ms/op",
                stackQuery,
                baseline = stateFlow,
            ),
        ),
        whyLoses = """
            The floor has one flow; StackQuery has 10,000 observers, each with its own `StateFlow`. The
            write tells every observer on the writing thread (each computes its state: select,
            placeholder, and publishes it), and only then are the collectors resumed. **What would fix
            it:** let observers without a `select` or placeholder share one state flow per query, so one
            publication wakes all their collectors, or hand the per-observer publication to the
            dispatcher in batches instead of running 10,000 of them inline in `setQueryData`.
        """.trimIndent(),
        whyWins = """
            Observers publish without locks, and a write wakes only the collectors whose state changed.
        """.trimIndent(),
    ),
    Section(
        number = 6,
        title = "Memory per entry",
        what = """
            The heap retained per cached entry with 1,000,000 small entries (`QueryKey.of("entry", i)` →
            `"v" + i`), and the time to insert them (one thread, a first fill in a fresh JVM: no warm-up).
            **Method:** heap-after-GC difference. The keys and values are created first and the heap in
            use is read after full collections (`System.gc()` until two readings agree within 64 KiB,
            fixed 4 GiB heap); then the contender is filled with them and the heap is read again the same
            way. The difference divided by 1,000,000 is what the cache itself retains per entry, keys
            and values excluded (they are the same objects for every contender). **StackQuery**:
            `setQueryData(key, value)`, `cacheMaxSize` 2,000,000, infinite `staleTime` and `gcTime`.
            **Caffeine**: `put` on `maximumSize(2_000_000)`. **ConcurrentHashMap**: `put`, the floor.
        """.trimIndent(),
        rows = listOf(
            Row(
                "bytes per entry",
                "MemoryBenchmark.fill",
                "B/entry",
                stackQuery,
                caffeine,
                concurrentHashMap,
                metric = "bytesPerEntry",
            ),
            Row("fill 1,000,000 entries", "MemoryBenchmark.fill", "ms", stackQuery, caffeine, concurrentHashMap),
        ),
        whyLoses = """
            A StackQuery entry is a whole query, not a map node: the `Query` object (state, options, fetch,
            observers, polling and gc-timer fields), an empty observer list allocated up front, a
            `QueryState` (status, fetch status, data, timestamps, error, flags), the map node, and a node
            of the key trie that makes prefix operations fast (benchmark 4). Caffeine's bounded node
            holds the key, the value and the eviction links. **What would fix it:** allocate the observer
            list and the fetch/polling fields only when a query is first observed or fetched (most
            cached entries never are), let the query itself be the trie's leaf instead of a separate
            node, and share the state's rarely set fields (error, failure reason) in a side object.
            Filling takes longer for the same reasons, plus the cache lock taken for every new key.
        """.trimIndent(),
        whyWins = """
            StackQuery keeps one compact object graph per entry.
        """.trimIndent(),
    ),
    Section(
        number = 7,
        title = "L2 write-behind into SQLite",
        what = """
            Rows of about 530 bytes (the JSON envelope `{"v":1,"data":…,"dataUpdatedAt":…,"invalidated":false}` of
            a small record, under the key `stackquery:["item",i]`) written into a new SQLite file; the same keys
            and values for every contender. Single-shot: the score is the wall time of an invocation divided by
            its rows, in µs per row, also shown as rows per second. Files, clients and connections are made
            before each invocation and all of its rows are checked to be in the file after it, neither timed.
            **StackQuery**: 100,000 rows through a `QueryClient` on `ExposedStorage.sqlite(file)`:
            `setQueryData(key, item)` for each row (its query already in memory with its codec), then
            `flush()`, which returns once every row is committed. Client defaults except infinite `staleTime`
            and `gcTime`, `maxPendingWrites` 100,000 (nothing dropped) and a fixed clock; its background writer
            hands the storage runs of up to 256 rows (`writeBatchSize`), one `setAll` and one transaction each.
            **Seed recipe**: PyStackQuery's `SQLiteStorage.set` (seeds/003) on the JVM: for each row a new
            `DriverManager.getConnection("jdbc:sqlite:…")` with SQLite's defaults (rollback journal,
            `synchronous=FULL`), `INSERT OR REPLACE INTO cache (key, value) VALUES (?, ?)`, a commit and a close.
            At 75 to 800 rows per second on the shared test machine (depending on the disk's other traffic) it
            writes only the first 1,000 rows, and its rate is measured on that subset (100,000 rows would take 2
            to 20 minutes per invocation); it runs without Python's own costs.
            The *experiment* line writes the first 10,000 rows straight into `ExposedStorage` with `set`, each
            awaited before the next (one row per transaction, on the storage's open connection, WAL): the
            storage without the client's batching.
        """.trimIndent(),
        rows = listOf(
            Row(
                "100,000 rows through the client",
                "WriteBehindBenchmark.stackQuery",
                "µs/row",
                Contender("StackQuery", null, benchmark = "WriteBehindBenchmark.stackQuery"),
                baseline = seedRecipe,
                rateUnit = "rows/s",
            ),
            Row(
                "experiment: ExposedStorage.set, one row per transaction",
                "WriteBehindBenchmark.storageSetPerRow",
                "µs/row",
                Contender("ExposedStorage.set per row", null, benchmark = "WriteBehindBenchmark.storageSetPerRow"),
                baseline = seedRecipe,
                experiment = true,
                rateUnit = "rows/s",
            ),
        ),
        whyLoses = """
            Persisting through the client should beat a connection and a commit per row by orders of magnitude,
            since each of its commits carries up to 256 rows. A loss means that the write-behind has stopped
            batching (one `set` per row, or runs cut short) or that the storage commits row by row. **What would
            fix it:** profile the client's writer (`Persistence`) and `ExposedStorage.setAll`, and restore one
            transaction per run of queued writes.
        """.trimIndent(),
        whyWins = """
            The caller never waits for SQLite: `setQueryData` queues a snapshot and returns, and one background
            writer takes the queue in runs of up to 256 rows, each one `setAll`: one transaction and one commit,
            on a connection that stays open, with WAL journaling and `synchronous=NORMAL`. The seed's recipe pays
            for opening a connection, a transaction and, with a rollback journal and `synchronous=FULL`, several
            fsyncs for every row. The experiment line shows what the storage's setup alone gives (an open
            connection, WAL, one row per commit); the rest of the gain is the client's batching.
        """.trimIndent(),
    ),
    Section(
        number = 8,
        title = "Equal-refetch fan-out",
        what = """
            10,000 coroutines on `Dispatchers.Default` collect the state of one key, as in benchmark 5; the
            time of one refetch whose data is *equal* to the cached data but a new instance (the query function
            builds a new `ArrayList` of 8 new data-class items, each with a new list of tags), until it settled.
            Nothing changes, so the ideal is that nobody is woken. **StackQuery, DATA only**: each collector has
            its own observer, `client.watch(options).state`, with `notifyOnChange = setOf(QueryStateField.DATA)`;
            the refetch is `runBlocking { client.refetchQueries(key) }` (infinite `staleTime` and `gcTime`,
            `refetchOnSubscribe` `NEVER`, retry 0). Structural sharing (on by default) keeps the cached list, so
            each observer is told of the `FETCHING` state and of the settled one and publishes neither. A query
            tells its observers of a change inline, on the thread that made it, and the fetch completes only
            after that, so the call returns once all 10,000 have compared. **StackQuery, all fields**
            (context): the same observers with the default `notifyOnChange` (every field); each refetch
            publishes `FETCHING` and then the settled state (new `dataUpdatedAt`), and the operation also waits
            until every collector has seen the settled state. **StackQuery, no observers** (experiment, not a
            contender): the same refetch of a key nobody observes, the part of the figures that is the refetch
            itself. **StateFlow**: all collectors collect one `MutableStateFlow`, set to a new equal list built
            the same way; `StateFlow` compares it with `equals` and wakes nobody: the floor, the cost of a
            non-change with no cache around it. After every iteration (not timed) the harness checks that the
            DATA-only and StateFlow collectors received no state, that each DATA-only observer still shows the
            very state instance it showed after the start, that the cache (or the `StateFlow`) still holds the
            first list instance, that the query function ran once per refetch, and that each all-fields
            collector saw at least one state per refetch; any failure stops the run. One benchmark thread only:
            two threads refetching one key would join each other's fetch, so an operation would no longer be
            one refetch (the benchmark refuses `-t 2`). Caffeine has no observers, so it has no line here. The
            allocation column comes from JMH's `-prof gc`.
        """.trimIndent(),
        rows = listOf(
            Row("equal refetch, DATA-only observers", EQUAL_REFETCH, "µs/op", dataOnly, baseline = stateFlow),
            Row(
                "equal refetch, all-fields observers (context)",
                EQUAL_REFETCH,
                "µs/op",
                allFields,
                baseline = stateFlow,
                context = true,
            ),
            Row(
                "experiment: equal refetch, no observers",
                EQUAL_REFETCH,
                "µs/op",
                noObservers,
                baseline = stateFlow,
                experiment = true,
            ),
            Row(
                "allocated per refetch, DATA-only observers",
                EQUAL_REFETCH,
                "B/op",
                dataOnly,
                baseline = stateFlow,
                metric = "gc.alloc.rate.norm",
                floor = 0.5,
                chart = false,
            ),
        ),
        table = ContenderTable(
            benchmark = EQUAL_REFETCH,
            lines = listOf(
                dataOnly,
                Contender("StackQuery, all fields (context)", "StackQuery-allFields"),
                Contender("StackQuery, no observers (experiment)", "StackQuery-noObservers"),
                equalRefetchFloor,
            ),
            columns = listOf(
                TableColumn("µs/op", "µs/op"),
                TableColumn("Allocated, B/op", "B/op", metric = "gc.alloc.rate.norm", floor = 0.5),
            ),
            ratioTo = equalRefetchFloor,
            ratioHeader = "StackQuery / StateFlow",
        ),
        findings = ::equalRefetchFindings,
        whyLoses = """
            The cost of an equal refetch grows with the number of observers although none of them changes: per
            state change (two per refetch: `FETCHING`, then the settled state) the query walks all 10,000
            observers (`Query.notifyObservers`) on the refetching thread, and each one counts the change in and
            out of its pending-change counter (two atomic updates, `onQueryChanged`), derives its state
            (`StateDerivation.derive`: without a `select`, the query's state itself), works out its own
            staleness (no clock read for an infinite `staleTime`) and its `isFetchedAfterMount`, checks (and
            writes only if they changed) the fields that keep the derived state for `refetch()`, and only then
            compares the one field it tracks with the state it shows, which it finds unchanged, so it copies
            nothing and publishes nothing. These are separate objects per observer, cold in cache when 10,000
            are walked (this list is from the code, not from a profile).
            **What would fix it:** decide at the query, once per state change, which fields can have changed
            (same data instance and `hasData`: no DATA change for any observer showing the query's data, since
            `select` is memoized on that instance and structural sharing keeps it) and keep observers grouped by
            the fields they track, so an equal refetch skips the DATA-only group with one comparison, O(1)
            instead of O(observers); this grouping is not implemented (the difficulty: a baseline per group
            that concurrent notifications and observers attaching between them cannot make stale).
        """.trimIndent(),
        whyWins = """
            An equal refetch wakes no DATA-only observer: structural sharing keeps the cached instance, and
            `notifyOnChange` publishes nothing when no tracked field changed.
        """.trimIndent(),
    ),
)

/** `"0.22× to 0.41×"`: the ratio [a] / [b] at the ends of their 99.9% intervals; `null` without errors. */
internal fun ratioRange(a: Figure, b: Figure): String? {
    val ea = a.error ?: return null
    val eb = b.error ?: return null
    val low = (a.mean - ea).coerceAtLeast(0.0) / (b.mean + eb)
    if (b.mean - eb <= 0.0) return "at least ${Format.ratio(low)}"
    return "${Format.ratio(low)} to ${Format.ratio((a.mean + ea) / (b.mean - eb))}"
}

/** Section 8's findings, worded for whatever figures the run gave. */
internal fun equalRefetchFindings(input: FindingsInput): List<String> {
    fun time(contender: String) = input.figure(EQUAL_REFETCH, contender)
    fun bytes(contender: String) = input.figure(EQUAL_REFETCH, contender, "gc.alloc.rate.norm")
    val n = EQUAL_REFETCH_OBSERVERS
    val data = time("StackQuery")
    val all = time("StackQuery-allFields")
    val none = time("StackQuery-noObservers")
    val flow = time("StateFlow")
    val findings = mutableListOf<String>()
    if (data != null) {
        findings += "**Deliveries to the DATA-only observers: 0.** The harness checks after every iteration that " +
            "no DATA-only collector received a state, that each observer still shows the state it showed after " +
            "the start, that the cache kept the first list instance and that the query function ran once per " +
            "refetch, and stops the run otherwise: every refetch measured on that line woke none of the " +
            "${Format.number(n.toDouble())}. `notifyOnChange` and structural sharing do what they promise."
    }
    if (data != null && all != null) {
        val againstFloor = flow?.let {
            RowResult(Row("", EQUAL_REFETCH, "µs/op", dataOnly, baseline = stateFlow), data, null, it)
                .outcomeAgainst(it)
        }
        val againstAll = RowResult(Row("", EQUAL_REFETCH, "µs/op", dataOnly, baseline = allFields), data, null, all)
            .outcomeAgainst(all)
        val opening = when (againstFloor) {
            null, Outcome.NOT_COMPARABLE -> ""
            Outcome.LOSES -> "**Not waking them is not free.** "
            else -> "**Not waking them costs about what the floor costs.** "
        }
        val interval = ratioRange(data, all)?.let { " ($it across the two confidence intervals)" } ?: ""
        val saving = when (againstAll) {
            Outcome.WINS -> {
                val percent = Math.round(100 * (1 - data.mean / all.mean))
                "tracking DATA only saves about $percent% of the all-fields time" +
                    if (againstFloor == Outcome.LOSES) ", not all of it" else ""
            }
            Outcome.LOSES -> "tracking DATA only costs more than tracking every field"
            else -> "tracking DATA only saves nothing measurable over tracking every field"
        }
        val floorPart = flow?.let {
            val range = ratioRange(data, it)?.let { r -> " ($r across the intervals)" } ?: ""
            ", and is ${Format.ratio(data.mean / it.mean)} the floor$range"
        } ?: ""
        var text = "$opening${Format.number(data.mean)} µs per refetch is ${Format.ratio(data.mean / all.mean)} " +
            "the all-fields figure$interval: $saving$floorPart."
        if (none != null && data.mean > none.mean) {
            val perObserver = (data.mean - none.mean) * 1000 / n
            text += " Less the refetch itself (the no-observers line), that is about " +
                "${Format.number(perObserver)} ns per observer per refetch, " +
                "${Format.number(perObserver / 2)} ns per observer for each of the two state changes."
        }
        findings += text
    }
    val dataBytes = bytes("StackQuery")
    val noneBytes = bytes("StackQuery-noObservers")
    if (dataBytes != null && noneBytes != null) {
        val perChange = (dataBytes.mean - noneBytes.mean).coerceAtLeast(0.0) / n / 2
        // The upper end: both intervals at their least favourable ends.
        val upper = (dataBytes.mean + (dataBytes.error ?: 0.0) - noneBytes.mean + (noneBytes.error ?: 0.0))
            .coerceAtLeast(0.0) / n / 2
        val upperPart = if (dataBytes.error != null || noneBytes.error != null) {
            " (${Format.number(upper)} B at the ends of the intervals)"
        } else {
            ""
        }
        val meaning = if (upper < SMALLEST_OBJECT_BYTES) {
            ": less than the smallest object ($SMALLEST_OBJECT_BYTES B), so the observers' visit allocates next " +
                "to nothing"
        } else {
            ", made and dropped by the observers' visit"
        }
        val withObservers = Format.figure(dataBytes, 0.5)
        val without = Format.figure(noneBytes, 0.5)
        findings += "**Allocation** (`-prof gc`): the DATA-only refetch allocates $withObservers B, the same " +
            "refetch without observers $without B; the difference is about ${Format.number(perChange)} B per " +
            "observer per state change$upperPart$meaning."
    }
    if (flow != null) {
        val flowBytes = bytes("StateFlow")?.let {
            " (the ${Format.figure(it, 0.5)} B it allocates, the same construction as the query function's)"
        } ?: ""
        var text = "The floor compares once, at the source: its ${Format.number(flow.mean)} µs is building the new " +
            "list$flowBytes and one `equals`, however many collectors there are."
        if (none != null) {
            val spread = none.error?.let { " ± ${Math.round(100 * it / none.mean)}% in this run" } ?: ""
            text += " The no-observers line (${Format.number(none.mean)} µs$spread) is the refetch without any " +
                "fan-out: a coroutine on the client's dispatcher, the query function, structural sharing and two " +
                "state changes; how much of it is the hand-off from the calling thread to the dispatcher and back " +
                "is not measured apart."
        }
        findings += text
    }
    return findings
}
