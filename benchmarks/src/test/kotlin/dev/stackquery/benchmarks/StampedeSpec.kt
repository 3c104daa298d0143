package dev.stackquery.benchmarks

import com.github.benmanes.caffeine.cache.Caffeine
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.future.await
import kotlin.time.Duration.Companion.hours

/** The stampede harness with 500 callers and a 5 ms loader: small enough for a unit test. */
class StampedeSpec : FunSpec({
    val callers = 500

    fun stackQueryOptions(loader: SlowLoader, key: QueryKey) =
        QueryOptions(key, queryFn = { loader.load(key).await() }, retry = 0, staleTime = 1.hours)

    test("StackQuery: every caller gets the value, and the loader runs once per cold key") {
        val loader = SlowLoader(5)
        QueryClient(QueryClientConfig(cacheMaxSize = 100)).use { client ->
            Stampede(callers).use { stampede ->
                for (round in 0 until 3) {
                    val key = queryKey("stampede", round)
                    loader.reset()
                    stampede.prepareStackQuery(client, stackQueryOptions(loader, key), SlowLoader.valueOf(key))
                    stampede.run()
                    loader.calls() shouldBe 1
                }
            }
        }
    }

    test("Caffeine: every caller gets the value, and the loader runs once per cold key") {
        val loader = SlowLoader(5)
        val cache = Caffeine.newBuilder().maximumSize(100).buildAsync<QueryKey, String> { key, _ -> loader.load(key) }
        Stampede(callers).use { stampede ->
            for (round in 0 until 3) {
                val key = queryKey("stampede", round)
                loader.reset()
                stampede.prepareCaffeine(cache, key, SlowLoader.valueOf(key))
                stampede.run()
                loader.calls() shouldBe 1
            }
        }
    }

    test("run fails when callers get a value other than the expected one") {
        val loader = SlowLoader(1)
        QueryClient().use { client ->
            Stampede(callers).use { stampede ->
                val key = queryKey("stampede", "wrong")
                stampede.prepareStackQuery(client, stackQueryOptions(loader, key), "something else")
                val error = shouldThrow<IllegalStateException> { stampede.run() }
                error.message shouldBe "$callers callers got a wrong value"
            }
        }
    }
})
