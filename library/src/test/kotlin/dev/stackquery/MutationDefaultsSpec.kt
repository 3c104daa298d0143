package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.runTest
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

class MutationDefaultsSpec : FunSpec({
    val save = queryKey("save")

    test("a mutation made from its key alone runs the most specific default mutationFn with the merged options") {
        runTest {
            val client = testClient(retryPolicy = RetryPolicy.fixed(1.seconds))
            val attempts = AtomicInteger()
            client.setMutationDefaults(save, MutationDefaults<String, Int>(mutationFn = { "generic $it" }, retry = 2))
            client.setMutationDefaults(
                queryKey("save", "user"),
                MutationDefaults<String, Int>(
                    mutationFn = { id ->
                        if (attempts.incrementAndGet() < 3) throw IllegalStateException("flaky")
                        "user $id"
                    },
                ),
            )
            val mutation = client.mutation<String, Int>(queryKey("save", "user", 7))
            mutation.mutate(7) shouldBe "user 7" // the specific function, retried twice by the less specific retry
            attempts.get() shouldBe 3
            client.mutation<String, Int>(queryKey("save", "post")).mutate(1) shouldBe "generic 1"
            client.close()
        }
    }

    test("a mutation from a key that no defaults give a function for fails with IllegalArgumentException") {
        runTest {
            val client = testClient()
            client.setMutationDefaults(save, MutationDefaults<String, Int>(retry = 1))
            val error = shouldThrow<IllegalArgumentException> { client.mutation<String, Int>(queryKey("save", 1)) }
            error.message shouldBe "no mutation defaults with a mutationFn match the mutation key [\"save\",1]: " +
                "set one with setMutationDefaults(prefix, defaults) first"
            shouldThrow<IllegalArgumentException> { client.mutation<String, Int>(queryKey("other")) }
            client.close()
        }
    }

    test("mutation options take unset retry, invalidates and scope from the defaults; explicit values win") {
        runTest {
            val client = testClient(retryPolicy = RetryPolicy.fixed(1.seconds))
            client.setMutationDefaults(
                save,
                MutationDefaults<String, Int>(retry = 3, invalidates = listOf(queryKey("list")), scope = "saves"),
            )
            val calls = AtomicInteger()
            val failing: suspend (Int) -> String = {
                calls.incrementAndGet()
                throw IllegalStateException("down")
            }
            shouldThrow<IllegalStateException> {
                client.mutation(MutationOptions<String, Int, Unit>(failing, mutationKey = save)).mutate(1)
            }
            calls.get() shouldBe 4 // 1 + 3 retries from the defaults
            shouldThrow<IllegalStateException> {
                client.mutation(MutationOptions<String, Int, Unit>(failing, retry = 0, mutationKey = save)).mutate(1)
            }
            calls.get() shouldBe 5 // an explicit 0 wins
            shouldThrow<IllegalStateException> {
                client.mutation(MutationOptions<String, Int, Unit>(failing)).mutate(1) // no key: no defaults
            }
            calls.get() shouldBe 6

            client.setQueryData(queryKey("list"), "cached")
            client.mutation(MutationOptions<String, Int, Unit>({ "ok" }, mutationKey = save)).mutate(1)
            client.getQueryState<String>(queryKey("list"))?.isInvalidated shouldBe true
            client.setQueryData(queryKey("list"), "again")
            client.mutation(MutationOptions<String, Int, Unit>({ "ok" }, mutationKey = save, invalidates = emptyList()))
                .mutate(1)
            client.getQueryState<String>(queryKey("list"))?.isInvalidated shouldBe false
            client.close()
        }
    }

    test("getMutationDefaults merges the matching prefixes; setting a prefix again replaces it") {
        runTest {
            val client = testClient()
            client.setMutationDefaults(save, MutationDefaults<String, Int>(retry = 2, scope = "a"))
            client.setMutationDefaults(queryKey("save", "user"), MutationDefaults<String, Int>(retry = 5))
            val merged = client.getMutationDefaults<String, Int>(queryKey("save", "user", 1))
            merged.retry shouldBe 5
            merged.scope shouldBe "a"
            merged.mutationFn shouldBe null
            client.setMutationDefaults(save, MutationDefaults<String, Int>(scope = "b"))
            client.getMutationDefaults<String, Int>(queryKey("save", 1)).retry shouldBe null
            client.getMutationDefaults<String, Int>(queryKey("save", 1)).scope shouldBe "b"
            client.getMutationDefaults<String, Int>(queryKey("nothing")).retry shouldBe null
            shouldThrow<IllegalArgumentException> { MutationDefaults<String, Int>(retry = -1) }.message shouldBe
                "retry must be >= 0, was -1"
            client.close()
        }
    }
})
